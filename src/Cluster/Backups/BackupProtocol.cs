using ActorStore.Cluster.Protocol;

namespace ActorStore.Cluster.Backups;

/// <summary>
/// The backup coordinator's protocol (a cluster singleton) and its runners' (one per node). The target's credentials
/// travel only between the coordinator, the runners and the gateway, which never answers them.
/// </summary>
public static class BackupProtocol
{
    public sealed record SetTarget(string Address, string? AccessKey, string? SecretKey) : IClusterMessage;

    public sealed record GetTarget : IClusterMessage;

    /// <summary>The backup target, credentials included (null address: none is set).</summary>
    public sealed record TargetView(string? Address, string? AccessKey, string? SecretKey) : IClusterMessage;

    /// <summary>Backs up <paramref name="Snapshot"/> of the volume, or a snapshot taken for it (named as the backup) when null. Answered with a <see cref="RunView"/>.</summary>
    public sealed record StartBackup(string Volume, string? Snapshot, Dictionary<string, string>? Labels) : IClusterMessage;

    /// <summary>The backups running, and those that failed lately (the completed ones are in the target).</summary>
    public sealed record ListRuns : IClusterMessage;

    public sealed record Runs(IReadOnlyList<RunView> Items) : IClusterMessage;

    /// <param name="Kind">backup or restore.</param>
    /// <param name="Source">A backup's snapshot; a restore's backup.</param>
    /// <param name="State">running, completed (restores only: a completed backup is in the target) or failed.</param>
    public sealed record RunView(string Id, string Kind, string Volume, string Source, string Node, string State, DateTimeOffset Started, DateTimeOffset? Ended,
        long Done, long Total, double BytesPerSecond, string? Error) : IClusterMessage;

    /// <summary>
    /// Restores backup <paramref name="Backup"/> of <paramref name="BackupVolume"/> into a new volume: created restoring, then
    /// each of its replicas' nodes writes the backup into its replica. Answered with a <see cref="RunView"/>.
    /// </summary>
    /// <param name="Standby">A disaster-recovery volume: after the restore it takes each newer backup of <paramref name="BackupVolume"/> until activated.</param>
    public sealed record StartRestore(string BackupVolume, string Backup, string Volume, long Size, int Replicas, bool Standby = false) : IClusterMessage;

    /// <summary>
    /// To the runner on <paramref name="Node"/>: write the backup into replica <paramref name="ReplicaId"/>, open there. <paramref name="Applied"/>:
    /// the backup the replica holds already (a standby's): only the blocks that differ are written, and blocks gone are zeroed.
    /// </summary>
    public sealed record RestoreReplica(string Node, string Id, string ReplicaId, string BackupVolume, string Backup, TargetView Target, string? Applied = null)
        : IClusterMessage;

    /// <summary>Makes a standby volume an ordinary one, at the last backup it took; refused while a newer backup is still to be applied.</summary>
    public sealed record ActivateStandby(string Volume) : IClusterMessage;

    /// <summary>To the runner on <paramref name="Node"/>, where <paramref name="ReplicaId"/> is open: back up the snapshot from it.</summary>
    public sealed record RunBackup(string Node, string Id, string Volume, Guid VolumeId, string Snapshot, string ReplicaId, TargetView Target,
        Dictionary<string, string> Labels) : IClusterMessage;

    /// <param name="Part">The replica a restore writes ("" for a backup).</param>
    public sealed record RunProgress(string Id, long Done, long Total, string Part = "") : IClusterMessage;

    /// <summary>The run (a restore: its part) ended: <paramref name="Error"/> is null when the backup's record is in the target, or the replica holds the backup.</summary>
    public sealed record RunEnded(string Id, string? Error, string Part = "") : IClusterMessage;
}
