using ActorStore.Volume.Protocol;

namespace ActorStore.Cluster.Protocol;

/// <summary>
/// Nodes and their disks: asked of the local node directory, which answers for the whole cluster
/// (it routes per-node commands to that node's NodeAgent).
/// </summary>
public static class NodeProtocol
{
    public sealed record ListNodes : IClusterMessage;

    /// <summary>Asked of a NodeAgent by the node directory: its disks with live capacity.</summary>
    public sealed record GetReport : IClusterMessage;

    public sealed record GetNode(string Node) : IClusterMessage;

    /// <summary><paramref name="Create"/>: make the directory when it does not exist (otherwise a missing path is refused).</summary>
    public sealed record AddDisk(string Node, string Path, string? Name, bool Schedulable, bool Create = false) : IClusterMessage;

    public sealed record RemoveDisk(string Node, string Disk) : IClusterMessage;

    public sealed record SetNodeSchedulable(string Node, bool Schedulable) : IClusterMessage;

    public sealed record SetDiskSchedulable(string Node, string Disk, bool Schedulable) : IClusterMessage;

    public sealed record NodeList(IReadOnlyList<NodeView> Nodes) : IClusterMessage;

    /// <summary><paramref name="Status"/>: "up", "unreachable" (a member that does not answer) or the member status.</summary>
    public sealed record NodeView(string Id, string Address, string Status, bool Schedulable, string? ApiEndpoint, string? NbdEndpoint, IReadOnlyList<DiskView> Disks) : IClusterMessage;

    public sealed record DiskView(string Name, string Node, string Path, bool Schedulable, long CapacityBytes, long AvailableBytes, long ScheduledBytes, int ReplicaCount) : IClusterMessage;

    public sealed record DiskRemoved(string Node, string Disk) : IClusterMessage;

    /// <summary>The refusal of any node command; the gateway maps <paramref name="Error"/> like a volume's.</summary>
    public sealed record NodeRefused(string Node, VolumeError Error, string Detail) : IClusterMessage;

    /// <summary>The replica directories on the node that no volume knows (DESIGN §5), checked now; answered with <see cref="Orphans"/>.</summary>
    public sealed record ListOrphans(string Node) : IClusterMessage;

    public sealed record Orphans(string Node, IReadOnlyList<OrphanView> Replicas) : IClusterMessage;

    /// <param name="VolumeId">The volume its files name, when they open; <paramref name="Why"/>: why no volume knows it.</param>
    public sealed record OrphanView(string ReplicaId, string Node, string Disk, long Size, Guid? VolumeId, string Why) : IClusterMessage;

    /// <summary>Deletes an orphan replica directory, checked again first; answered with <see cref="OrphanDeleted"/> or <see cref="NodeRefused"/>.</summary>
    public sealed record DeleteOrphan(string Node, string ReplicaId) : IClusterMessage;

    public sealed record OrphanDeleted(string Node, string ReplicaId) : IClusterMessage;
}
