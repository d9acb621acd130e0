using ActorStore.Cluster.Protocol;

namespace ActorStore.Cluster.Backups;

/// <summary>The backup coordinator's persisted events (manifests fixed in <see cref="ClusterEventSerializer"/>).</summary>
public static class BackupEvents
{
    public sealed record TargetSet(string Address, string? AccessKey, string? SecretKey) : IClusterEvent;

    /// <param name="Snapshot">A backup's snapshot; a restore's backup.</param>
    /// <param name="Kind">backup (in journals before restores, null) or restore.</param>
    /// <param name="Parts">A restore's replicas, each written by its own node.</param>
    public sealed record RunStarted(string Id, string Volume, string Snapshot, string Node, DateTimeOffset At, string? Kind = null, IReadOnlyList<string>? Parts = null)
        : IClusterEvent;

    /// <summary>A standby volume now follows the backups of <paramref name="Source"/> (its first restore started).</summary>
    public sealed record StandbyAdded(string Volume, string Source) : IClusterEvent;

    /// <summary>Every replica of the standby holds <paramref name="Backup"/>.</summary>
    public sealed record StandbyApplied(string Volume, string Backup) : IClusterEvent;

    /// <summary>The standby was activated, or its first restore failed (and the volume was deleted).</summary>
    public sealed record StandbyRemoved(string Volume) : IClusterEvent;

    /// <summary><paramref name="Error"/>: null when it completed.</summary>
    public sealed record RunFinished(string Id, string? Error, DateTimeOffset At) : IClusterEvent;

    /// <summary>The whole state as the events that rebuild it, applied in order: the target, the runs listed (with the ends of those that ended), the standbys.</summary>
    public sealed record BackupsSnapshot(TargetSet? Target, IReadOnlyList<RunStarted> Runs, IReadOnlyList<RunFinished> Ended, IReadOnlyList<StandbyAdded> Standbys,
        IReadOnlyList<StandbyApplied> Applied) : IClusterEvent;
}
