namespace ActorStore.Volume.Protocol;

/// <summary>
/// Control commands from a volume's engine to its replicas (through the node directory and the
/// replica's NodeAgent). Each carries a request id and is idempotent under it, so the engine can repeat
/// it after a crash (DESIGN §2). Every command is answered by <see cref="Done"/> (or a richer reply).
/// Payloads never travel here: data goes through the replica's data endpoint.
/// </summary>
public static class ReplicaProtocol
{
    public sealed record CreateReplica(string Node, string ReplicaId, Guid RequestId, string Volume, Guid VolumeId, string Disk, long Size, long Epoch) : IReplicaCommand;

    /// <summary>Prepares the replica for an engine of <paramref name="Epoch"/>: raises its epoch and reports where and how to reach it.</summary>
    public sealed record OpenReplica(string Node, string ReplicaId, Guid RequestId, long Epoch) : IReplicaCommand;

    public sealed record ClearDirtyRegions(string Node, string ReplicaId, Guid RequestId) : IReplicaCommand;

    public sealed record TakeSnapshot(string Node, string ReplicaId, Guid RequestId, string Name, bool UserCreated, Dictionary<string, string>? Labels) : IReplicaCommand;

    public sealed record DeleteSnapshot(string Node, string ReplicaId, Guid RequestId, string Name) : IReplicaCommand;

    public sealed record PurgeSnapshots(string Node, string ReplicaId, Guid RequestId) : IReplicaCommand;

    public sealed record RevertReplica(string Node, string ReplicaId, Guid RequestId, string Snapshot) : IReplicaCommand;

    public sealed record ExpandReplica(string Node, string ReplicaId, Guid RequestId, long Size) : IReplicaCommand;

    public sealed record ListSnapshots(string Node, string ReplicaId, Guid RequestId) : IReplicaCommand;

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
