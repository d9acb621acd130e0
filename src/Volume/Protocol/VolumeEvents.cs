namespace ActorStore.Volume.Protocol;

/// <summary>
/// The persisted events of a volume entity (its whole durable state, DESIGN §2), and the snapshot of that state.
/// Each has a manifest fixed for good in <c>VolumeEventSerializer</c>. Never change a record's meaning: add a new
/// one under a new manifest. No wire message and no type of src/Blocks appears here.
/// </summary>
public static class VolumeEvents
{
    public interface IVolumeEvent : IPersistedEvent;

    public sealed record NewReplica(string Id, string Node, string Disk);

    /// <summary>Step one of create: the placement is decided; the replicas are created next, idempotently.</summary>
    /// <param name="SoftAntiAffinity">The volume's own replica-soft-anti-affinity; null (and in events written before it): the cluster's.</param>
    /// <param name="RestoringFrom">The backup restored into the new volume (null: created empty).</param>
    /// <param name="Standby">A disaster-recovery volume that follows the backups until activated.</param>
    public sealed record CreateRequested(Guid VolumeId, long Size, int ReplicaCount, DateTimeOffset Created, IReadOnlyList<NewReplica> Replicas, bool? SoftAntiAffinity = null,
        string? RestoringFrom = null, bool Standby = false) : IVolumeEvent;

    /// <summary>Every replica holds <paramref name="Backup"/>: a restored volume can be attached; a standby took one more backup.</summary>
    public sealed record RestoreFinished(string Backup, DateTimeOffset At) : IVolumeEvent;

    /// <summary>The standby volume became an ordinary one.</summary>
    public sealed record StandbyActivated(DateTimeOffset At) : IVolumeEvent;

    public sealed record CreateCompleted(Guid VolumeId) : IVolumeEvent;

    /// <summary>
    /// The volume is attached to <paramref name="Node"/> under a new engine epoch. <paramref name="Maintenance"/>: not by a
    /// user but to heal a detached volume (an offline rebuild): its engine serves no frontend, and it is detached when done.
    /// </summary>
    public sealed record Attached(string Node, long Epoch, bool Maintenance = false) : IVolumeEvent;

    /// <summary>The engine restarted (node restart, recovery): a new epoch fences the old incarnation.</summary>
    public sealed record EpochRaised(long Epoch) : IVolumeEvent;

    /// <summary><paramref name="Reason"/>: why, when not asked for (<c>node-lost</c>, an engine that could not start); null in events written before it was kept.</summary>
    public sealed record Detached(string? Reason = null) : IVolumeEvent;

    /// <summary><paramref name="Fault"/>: what kind of failure (null in events written before it was recorded); an untrusted replica is never salvaged.</summary>
    public sealed record ReplicaFailed(string ReplicaId, string Reason, DateTimeOffset At, ReplicaFault? Fault = null) : IVolumeEvent;

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

    /// <summary>
    /// A replacement replica joins to be rebuilt (DESIGN §5): write-only until <see cref="ReplicaRebuilt"/>.
    /// <paramref name="Replaces"/>: the failed replica it takes the place of (removed once it is rebuilt), or null.
    /// </summary>
    public sealed record ReplicaAdded(string ReplicaId, string Node, string Disk, string? Replaces, DateTimeOffset At) : IVolumeEvent;

    /// <summary>The rebuilt replica holds the whole chain, checked layer by layer: it is read-write from now on.</summary>
    /// <param name="Detail">The engine's account of the copy (layers, bytes, time, sources lost).</param>
    public sealed record ReplicaRebuilt(string ReplicaId, long CopiedBytes, DateTimeOffset At, string? Detail = null) : IVolumeEvent;

    /// <summary>
    /// A replica that was away is back with its data intact (DESIGN §3): write-only until <see cref="ReplicaCaughtUp"/>, its old head
    /// staged as layer <paramref name="Patch"/> and patched with what was written while it was away.
    /// </summary>
    public sealed record ReplicaRejoined(string ReplicaId, string Patch, DateTimeOffset At) : IVolumeEvent;

    /// <summary>The returning replica got what it missed, checked layer by layer: read-write again.</summary>
    public sealed record ReplicaCaughtUp(string ReplicaId, long CopiedBytes, DateTimeOffset At, string? Detail = null) : IVolumeEvent;

    /// <summary>A node that came back removed its copy of a replica this volume had replaced meanwhile (history only).</summary>
    public sealed record StaleReplicaRemoved(string ReplicaId, string Node, string Detail, DateTimeOffset At) : IVolumeEvent;

    /// <summary>The replica is to move off its node or disk (eviction): it is replaced by a rebuild elsewhere, then removed.</summary>
    public sealed record ReplicaEvictionRequested(string ReplicaId, DateTimeOffset At) : IVolumeEvent;

    /// <summary>The replica left the volume (replaced, a rebuild that failed, evicted); its directory is deleted when its node can.</summary>
    public sealed record ReplicaRemoved(string ReplicaId, string Reason, DateTimeOffset At) : IVolumeEvent;

    public enum OperationKind { Snapshot, DeleteSnapshot, Purge, Revert, Expand, Delete }

    /// <summary>The whole state of a volume's record, saved every so many events so recovery replays only those since.</summary>
    public sealed record VolumeSnapshot(
        Guid VolumeId,
        long Size,
        int ReplicaCount,
        DateTimeOffset Created,
        bool Exists,
        bool CreateDone,
        string? AttachedTo,
        long Epoch,
        OperationRequested? Pending,
        IReadOnlyList<ReplicaState> Replicas,
        ReplicasSalvaged? LastSalvage,
        string? DetachReason = null,
        IReadOnlyList<HistoryEntry>? History = null,
        bool Maintenance = false,
        string? RebuildSnapshot = null,
        bool? SoftAntiAffinity = null,
        string? RestoringFrom = null,
        bool Standby = false,
        string? AppliedBackup = null) : IPersistedEvent;

    /// <summary>
    /// One thing that happened to a volume's replicas, as an operator reads it (DESIGN §2: failures are events the
    /// gateway lists): <paramref name="Kind"/> is replica-failed, rebuild-started, rebuilt, replica-removed or salvaged.
    /// </summary>
    public sealed record HistoryEntry(DateTimeOffset At, string Kind, string? Replica, string? Node, string Detail);

    /// <param name="NoCatchUp">Why this failed replica cannot catch up (only a rebuild replaces it), or null.</param>
    public sealed record ReplicaState(string Id, string Node, string Disk, ReplicaMode Mode, string? Failure, DateTimeOffset? FailedAt, ReplicaFault? Fault, bool Evicting = false,
        string? NoCatchUp = null);
}
