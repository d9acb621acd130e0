using ActorStore.Cluster.Api.Contracts;
using ActorStore.Cluster.Protocol;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Protocol;

namespace ActorStore.Cluster.Api;

/// <summary>Protocol records → the REST contract records. Pure, so the shapes are checked without HTTP.</summary>
internal static class ContractMapping
{
    /// <summary>The NBD endpoint is the one the engine reported when it started serving on the attach node.</summary>
    public static VolumeInfo ToInfo(VolumeProtocol.VolumeView v) => new(
        v.Name, v.Id, v.Size, v.ReplicaCount, v.State, v.Robustness, v.AttachedTo,
        Endpoint: v.State == VolumeStates.Attached && v.NbdEndpoint is { } nbd ? $"nbd://{nbd}/{v.Name}" : null,
        v.Epoch, v.SnapshotCount, v.Created,
        v.Replicas.Select(ToInfo).ToList(),
        v.LastSalvage is { } s ? new SalvageInfo(s.At, s.Source, s.Reconciled, s.Left.Select(l => new LeftOutInfo(l.ReplicaId, l.Why)).ToList(), s.Reason) : null,
        v.DetachReason, v.Activity, v.Controller, v.Rebuild is { } r ? ToInfo(r) : null, v.SoftAntiAffinity, v.AppliedBackup);

    public static RebuildInfo ToInfo(VolumeProtocol.RebuildView r) => new(
        r.ReplicaId, r.Node, r.Replaces, r.Started, r.Source, r.Done, r.Total, r.Copied, Math.Round(r.BytesPerSecond),
        r.Total > 0 ? Math.Round(100.0 * r.Done / r.Total, 1) : 0,
        r.BytesPerSecond > 0 ? Math.Round((r.Total - r.Done) / r.BytesPerSecond, 1) : null);

    public static ReplicaInfo ToInfo(VolumeProtocol.ReplicaView r) => new(r.Id, r.Node, r.Disk, Mode(r.Mode), r.Failure, r.FailedAt);

    public static string Mode(ReplicaMode mode) => mode switch
    {
        ReplicaMode.ReadWrite => ReplicaModes.ReadWrite,
        ReplicaMode.WriteOnly => ReplicaModes.WriteOnly,
        ReplicaMode.Error => ReplicaModes.Error,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "a replica mode the API does not know"),
    };

    public static SnapshotInfo ToInfo(VolumeProtocol.SnapshotView s) =>
        new(s.Name, s.Parent, s.Created, s.UserCreated, s.Removed, s.Size, s.Labels);

    public static NodeInfo ToInfo(NodeProtocol.NodeView n) =>
        new(n.Id, n.Address, n.Status, n.Schedulable, n.ApiEndpoint, n.NbdEndpoint, n.Disks.Select(ToInfo).ToList());

    public static DiskInfo ToInfo(NodeProtocol.DiskView d) =>
        new(d.Name, d.Node, d.Path, d.Schedulable, d.CapacityBytes, d.AvailableBytes, d.ScheduledBytes, d.ReplicaCount);
}
