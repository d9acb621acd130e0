namespace ActorStore.Cluster.Api.Contracts;

/// <summary>PUT /backup-target: <c>dir:///path</c> (a local disk or an NFS mount every node sees at that path) or <c>s3://bucket/prefix?endpoint=URL&amp;region=R</c>.</summary>
public sealed record SetBackupTarget(string Address, string? AccessKey = null, string? SecretKey = null);

/// <summary>The backup target; its credentials are never shown, only whether there are any.</summary>
public sealed record BackupTargetInfo(string? Address, bool HasCredentials);

/// <summary>POST /volumes/{name}/backups: back up <paramref name="Snapshot"/>, or a snapshot taken for the backup when null.</summary>
public sealed record CreateBackup(string? Snapshot = null, Dictionary<string, string>? Labels = null);

/// <summary>
/// A backup: <paramref name="State"/> is completed (its record is in the target), running (with <paramref name="Progress"/>) or
/// failed (with <paramref name="Error"/>). <paramref name="Blocks"/>: the 2 MiB blocks it lists (holes are not listed);
/// <paramref name="UploadedBlocks"/>: those it had to upload, the others were in the target already.
/// </summary>
public sealed record BackupInfo(
    string Id,
    string Volume,
    string Snapshot,
    string State,
    DateTimeOffset Created,
    DateTimeOffset? Completed,
    long Size,
    long Blocks,
    string? Base,
    long? UploadedBlocks,
    long? UploadedBytes,
    long? ReusedBlocks,
    BackupProgressInfo? Progress,
    string? Error,
    string? Node,
    IReadOnlyDictionary<string, string>? Labels);

/// <summary>Bytes of the volume gone through of those the backup reads, the rate, and the time left at that rate.</summary>
public sealed record BackupProgressInfo(long Done, long Total, double BytesPerSecond, double? EtaSeconds);

/// <summary>A deleted backup; <paramref name="Deferred"/>: why its blocks are not collected yet (a backup or restore runs), or null.</summary>
public sealed record BackupDeleted(string Id, string Volume, int DeletedBlocks, long DeletedBytes, string? Deferred);

/// <summary>
/// POST /backups/{id}/restore: the new volume's name, size (at least the backup's; default the backup's) and replica count.
/// <paramref name="Standby"/>: a disaster-recovery volume that then takes each newer backup of the same volume until activated.
/// </summary>
public sealed record RestoreBackup(string Volume, long? Size = null, int? Replicas = null, bool Standby = false);

/// <summary>
/// A restore into a new volume: <paramref name="State"/> running (with <paramref name="Progress"/>, summed over the replicas each
/// node writes), completed, or failed (with <paramref name="Error"/>, the volume deleted).
/// </summary>
public sealed record RestoreInfo(string Id, string Backup, string Volume, string State, DateTimeOffset Started, DateTimeOffset? Ended, BackupProgressInfo? Progress, string? Error);
