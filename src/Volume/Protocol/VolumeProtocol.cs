namespace ActorStore.Volume.Protocol;

/// <summary>The commands a volume entity takes and its answers. Every command is answered by a reply or <see cref="Refused"/>.</summary>
public static class VolumeProtocol
{
    /// <param name="SoftAntiAffinity">The volume's own replica-soft-anti-affinity (null: the cluster's setting).</param>
    /// <param name="RestoringFrom">A backup being restored into the new volume: it cannot be attached or changed until <see cref="FinishRestore"/>.</param>
    /// <param name="Standby">A disaster-recovery volume: after the restore it stays a standby that takes each newer backup, until <see cref="Activate"/>.</param>
    public sealed record Create(string Volume, long Size, int Replicas, bool? SoftAntiAffinity = null, string? RestoringFrom = null, bool Standby = false) : IChangeVolume;

    /// <summary>
    /// Every replica of the volume holds <paramref name="Backup"/>: a restored volume becomes an ordinary one; a standby notes the
    /// backup it holds and stays a standby. Answered with the <see cref="VolumeView"/>.
    /// </summary>
    public sealed record FinishRestore(string Volume, string Backup) : IWithVolumeName;

    /// <summary>A standby volume becomes an ordinary one, at the last backup it took. Answered with the <see cref="VolumeView"/>.</summary>
    public sealed record Activate(string Volume) : IWithVolumeName;

    public sealed record Get(string Volume) : IWithVolumeName;

    public sealed record Delete(string Volume) : IChangeVolume;

    public sealed record Attach(string Volume, string Node) : IChangeVolume;

    public sealed record Detach(string Volume) : IWithVolumeName;

    public sealed record Expand(string Volume, long Size) : IChangeVolume;

    public sealed record CreateSnapshot(string Volume, string Name, bool UserCreated, Dictionary<string, string>? Labels) : IChangeVolume;

    public sealed record ListSnapshots(string Volume) : IWithVolumeName;

    /// <summary>
    /// Marks the volume's replicas on <paramref name="Node"/> (on its disk <paramref name="Disk"/> only, when given) for eviction:
    /// each is rebuilt elsewhere, then removed. Answered with <see cref="EvictionAccepted"/>.
    /// </summary>
    public sealed record EvictReplicas(string Volume, string Node, string? Disk) : IWithVolumeName;

    /// <summary><paramref name="Replicas"/>: how many of the volume's replicas are to move; <paramref name="Attached"/>: false when they move by an offline rebuild.</summary>
    public sealed record EvictionAccepted(string Volume, int Replicas, bool Attached) : IVolumeMessage;

    /// <summary>
    /// From a node that came back holding <paramref name="ReplicaId"/>, which this volume replaced meanwhile: it removed the
    /// stale replica after the grace period; the volume records it. Answered with <see cref="StaleReplicaNoted"/>.
    /// </summary>
    public sealed record NoteStaleReplicaRemoved(string Volume, string ReplicaId, string Node, string Detail) : IWithVolumeName;

    public sealed record StaleReplicaNoted(string Volume, string ReplicaId) : IVolumeMessage;

    /// <summary>What happened to the volume's replicas (failed, rebuilt, removed, salvaged), oldest first.</summary>
    public sealed record ListHistory(string Volume) : IWithVolumeName;

    public sealed record History(string Volume, IReadOnlyList<HistoryView> Entries) : IVolumeMessage;

    public sealed record HistoryView(DateTimeOffset At, string Kind, string? Replica, string? Node, string Detail) : IVolumeMessage;

    public sealed record DeleteSnapshot(string Volume, string Name) : IChangeVolume;

    public sealed record Purge(string Volume) : IChangeVolume;

    public sealed record Revert(string Volume, string Snapshot) : IChangeVolume;

    /// <summary>Brings a faulted volume back from its freshest intact replicas; answered by the <see cref="VolumeView"/> with <see cref="VolumeView.LastSalvage"/>.</summary>
    public sealed record Salvage(string Volume) : IChangeVolume;

    /// <summary>The volume's current record (answer to every command that changes it, and to <see cref="Get"/>).</summary>
    public sealed record VolumeView(
        string Name,
        Guid Id,
        long Size,
        int ReplicaCount,
        string State,
        string Robustness,
        string? AttachedTo,
        long Epoch,
        int SnapshotCount,
        DateTimeOffset Created,
        IReadOnlyList<ReplicaView> Replicas,
        SalvageView? LastSalvage = null,
        string? NbdEndpoint = null,
        string? DetachReason = null,
        string? Activity = null,
        string? Controller = null,
        RebuildView? Rebuild = null,
        bool? SoftAntiAffinity = null,
        string? AppliedBackup = null) : IVolumeMessage;

    /// <summary>
    /// The rebuild running (DESIGN §5): <paramref name="Done"/> of <paramref name="Total"/> bytes of the snapshot layers,
    /// <paramref name="Copied"/> bytes moved so far (a layer started over from another source counts twice), from <paramref name="Source"/>.
    /// </summary>
    public sealed record RebuildView(string ReplicaId, string Node, string? Replaces, DateTimeOffset Started, string? Source, long Done, long Total, long Copied, double BytesPerSecond)
        : IVolumeMessage;

    /// <summary>What the last salvage chose and why.</summary>
    public sealed record SalvageView(DateTimeOffset At, string Source, IReadOnlyList<string> Reconciled, IReadOnlyList<LeftOutView> Left, string Reason) : IVolumeMessage;

    public sealed record LeftOutView(string ReplicaId, string Why) : IVolumeMessage;

    public sealed record ReplicaView(string Id, string Node, string Disk, ReplicaMode Mode, string? Failure, DateTimeOffset? FailedAt, bool Evicting = false) : IVolumeMessage;

    public sealed record SnapshotView(string Name, string? Parent, DateTimeOffset Created, bool UserCreated, bool Removed, long Size, Dictionary<string, string> Labels) : IVolumeMessage;

    public sealed record Snapshots(string Volume, IReadOnlyList<SnapshotView> Items) : IVolumeMessage;

    public sealed record Deleted(string Volume) : IVolumeMessage;

    public sealed record Refused(string Volume, VolumeError Error, string Detail) : IVolumeMessage;
}
