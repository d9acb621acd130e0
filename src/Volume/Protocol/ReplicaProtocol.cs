namespace ActorStore.Volume.Protocol;

/// <summary>
/// Control commands from a volume's engine to its replicas (through the node directory and the
/// replica's NodeAgent). Each carries a request id and is idempotent under it, so the engine can repeat
/// it after a crash (DESIGN §2). Every command is answered by <see cref="Done"/> (or a richer reply).
/// Payloads never travel here: data goes through the replica's data endpoint.
/// </summary>
public static class ReplicaProtocol
{
    /// <param name="Rebuilding">A replacement, to be rebuilt from a healthy replica: it starts rebuilding (DESIGN §5).</param>
    public sealed record CreateReplica(string Node, string ReplicaId, Guid RequestId, string Volume, Guid VolumeId, string Disk, long Size, long Epoch, bool Rebuilding = false) : IReplicaCommand;

    /// <summary>Prepares the replica for an engine of <paramref name="Epoch"/>: raises its epoch and reports where and how to reach it.</summary>
    public sealed record OpenReplica(string Node, string ReplicaId, Guid RequestId, long Epoch) : IReplicaCommand;

    public sealed record ClearDirtyRegions(string Node, string ReplicaId, Guid RequestId, long Epoch) : IReplicaCommand;

    public sealed record TakeSnapshot(string Node, string ReplicaId, Guid RequestId, string Name, bool UserCreated, Dictionary<string, string>? Labels) : IReplicaCommand;

    public sealed record DeleteSnapshot(string Node, string ReplicaId, Guid RequestId, string Name) : IReplicaCommand;

    public sealed record PurgeSnapshots(string Node, string ReplicaId, Guid RequestId) : IReplicaCommand;

    public sealed record RevertReplica(string Node, string ReplicaId, Guid RequestId, string Snapshot) : IReplicaCommand;

    public sealed record ExpandReplica(string Node, string ReplicaId, Guid RequestId, long Size) : IReplicaCommand;

    public sealed record ListSnapshots(string Node, string ReplicaId, Guid RequestId) : IReplicaCommand;

    // A rebuild's steps on the new replica (DESIGN §5); the bytes go through the data port.

    /// <summary>Starts (or starts over) the staged copy of snapshot <paramref name="Layer"/>; with <paramref name="Keep"/> a catch-up's staged old head only takes its metadata.</summary>
    public sealed record StageLayer(string Node, string ReplicaId, Guid RequestId, LayerInfo Layer, bool Keep = false) : IReplicaCommand;

    // A delta catch-up's steps (DESIGN §3).

    /// <summary>The returning replica's head becomes staged layer <paramref name="Layer"/> under a new head; answered by <see cref="CatchUpBegun"/>.</summary>
    public sealed record BeginCatchUp(string Node, string ReplicaId, Guid RequestId, string Layer) : IReplicaCommand;

    /// <summary><paramref name="Dirty"/>: regions its old head may hold unlike the others (its dirty-region log).</summary>
    public sealed record CatchUpBegun(string ReplicaId, Guid RequestId, IReadOnlyList<Region> Dirty) : IVolumeMessage;

    /// <summary>Makes these regions of a staged layer holes again, before they are copied from a healthy replica.</summary>
    public sealed record PunchStaged(string Node, string ReplicaId, Guid RequestId, string Name, IReadOnlyList<Region> Regions) : IReplicaCommand;

    /// <summary>The regions tracked writes marked since the absent log was cleared; answered by <see cref="AbsentRegionList"/>.</summary>
    public sealed record ListAbsentRegions(string Node, string ReplicaId, Guid RequestId) : IReplicaCommand;

    public sealed record AbsentRegionList(string ReplicaId, Guid RequestId, IReadOnlyList<Region> Regions) : IVolumeMessage;

    public sealed record ClearAbsentRegions(string Node, string ReplicaId, Guid RequestId) : IReplicaCommand;

    /// <summary>Marks the whole volume absent: a replica failed while the logs were being cleared, so what it missed is unknown.</summary>
    public sealed record MarkAllAbsent(string Node, string ReplicaId, Guid RequestId) : IReplicaCommand;

    /// <summary>The digest of a snapshot layer of a healthy replica, answered as <see cref="LayerChecked"/>.</summary>
    public sealed record DigestLayer(string Node, string ReplicaId, Guid RequestId, string Name) : IReplicaCommand;

    /// <summary>Makes a staged layer durable and answers its digest (<see cref="LayerChecked"/>).</summary>
    public sealed record CheckStagedLayer(string Node, string ReplicaId, Guid RequestId, string Name) : IReplicaCommand;

    /// <summary>Installs the staged layers <paramref name="Names"/> under the head in one commit.</summary>
    public sealed record InstallLayers(string Node, string ReplicaId, Guid RequestId, IReadOnlyList<string> Names) : IReplicaCommand;

    /// <summary>The copy is done and checked: the replica stops rebuilding (TRIM and zeroes act as on any replica again).</summary>
    public sealed record EndRebuild(string Node, string ReplicaId, Guid RequestId) : IReplicaCommand;

    /// <summary>A snapshot layer as a rebuild copies it: everything its metadata holds.</summary>
    public sealed record LayerInfo(string Name, string? Parent, DateTimeOffset Created, bool UserCreated, bool Removed, long Size, Dictionary<string, string> Labels, Guid? RequestId);

    /// <summary>The layers of a replica's snapshot tree, as <see cref="ListLayers"/> answers.</summary>
    public sealed record ListLayers(string Node, string ReplicaId, Guid RequestId) : IReplicaCommand;

    /// <summary><paramref name="HeadParent"/>: the snapshot the head was taken from (null: none).</summary>
    public sealed record LayerList(string ReplicaId, Guid RequestId, IReadOnlyList<LayerInfo> Layers, string? HeadParent = null) : IVolumeMessage;

    /// <summary>A staged layer's digest: its data bytes and their CRC-32C, in offset order.</summary>
    public sealed record LayerChecked(string ReplicaId, Guid RequestId, long Bytes, uint Crc) : IVolumeMessage;

    /// <summary>Deletes the replica's directory for good.</summary>
    public sealed record RemoveReplica(string Node, string ReplicaId, Guid RequestId) : IReplicaCommand;

    public sealed record Done(string ReplicaId, Guid RequestId, ReplicaOutcome Status, string? Detail) : IVolumeMessage;

    /// <summary><paramref name="Chain"/>: the snapshots under the head, oldest first (salvage reconciles only replicas whose chains match).</summary>
    public sealed record Opened(
        string ReplicaId,
        Guid RequestId,
        string DataHost,
        int DataPort,
        string NodeAddress,
        long Size,
        long Revision,
        IReadOnlyList<Region> DirtyRegions,
        IReadOnlyList<string> Chain) : IVolumeMessage;

    public sealed record SnapshotList(string ReplicaId, Guid RequestId, IReadOnlyList<VolumeProtocol.SnapshotView> Items) : IVolumeMessage;
}
