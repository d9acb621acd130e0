using ActorStore.Blocks;
using ActorStore.Volume.Engine;

namespace ActorStore.Volume.Protocol;

/// <summary>
/// The persisted events of a volume entity (its whole durable state, DESIGN §2). Never change a
/// record's meaning: add a new one (the serializer's manifests carry a version).
/// </summary>
public static class VolumeEvents
{
    public interface IVolumeEvent : IVolumeMessage;

    public sealed record NewReplica(string Id, string Node, string Disk);

    /// <summary>Step one of create: the placement is decided; the replicas are created next, idempotently.</summary>
    public sealed record CreateRequested(Guid VolumeId, long Size, int ReplicaCount, DateTimeOffset Created, IReadOnlyList<NewReplica> Replicas) : IVolumeEvent;

    public sealed record CreateCompleted(Guid VolumeId) : IVolumeEvent;

    /// <summary>The volume is attached to <paramref name="Node"/> under a new engine epoch.</summary>
    public sealed record Attached(string Node, long Epoch) : IVolumeEvent;

    /// <summary>The engine restarted (node restart, recovery): a new epoch fences the old incarnation.</summary>
    public sealed record EpochRaised(long Epoch) : IVolumeEvent;

    public sealed record Detached : IVolumeEvent;

    /// <summary><paramref name="Status"/>: what the replica answered (null in events written before it was recorded); a replica that failed an fsync is never salvaged.</summary>
    public sealed record ReplicaFailed(string ReplicaId, string Reason, DateTimeOffset At, ReplicaStatus? Status = null) : IVolumeEvent;

    /// <summary>
    /// A faulted volume was brought back (salvage): <paramref name="Source"/>, the freshest replica, and
    /// <paramref name="Reconciled"/>, made equal to it, are RW again; <paramref name="Left"/> stay ERR.
    /// </summary>
    public sealed record ReplicasSalvaged(string Source, IReadOnlyList<string> Reconciled, IReadOnlyList<LeftOut> Left, string Reason, DateTimeOffset At) : IVolumeEvent;

    public sealed record LeftOut(string ReplicaId, string Why);

    /// <summary>Step one of a command that changes replica files; finished (or rolled forward) on recovery.</summary>
    public sealed record OperationRequested(Guid RequestId, OperationKind Kind, string? Name, long Size, bool UserCreated, Dictionary<string, string>? Labels) : IVolumeEvent;

    public sealed record OperationCompleted(Guid RequestId, bool Succeeded, string? Detail) : IVolumeEvent;

    public sealed record VolumeDeleted(Guid VolumeId) : IVolumeEvent;

    public enum OperationKind { Snapshot, DeleteSnapshot, Purge, Revert, Expand, Delete }
}
