namespace ActorStore.Backup.Records;

/// <summary>
/// One completed backup: the volume's content at <see cref="Snapshot"/>, block by block. Self-contained (an
/// incremental backup lists the blocks it took from <see cref="Base"/> too); a block it does not list is a hole.
/// Put only after every block it names is in the target, so a record present is a backup that restores.
/// <see cref="VolumeId"/> and <see cref="SnapshotCreated"/> tell a later backup whether a snapshot of that name on a
/// replica is this very snapshot (not one of a volume recreated under the same name, or taken again under it).
/// </summary>
public sealed record BackupRecord(
    string Id,
    string Volume,
    Guid VolumeId,
    string Snapshot,
    DateTimeOffset SnapshotCreated,
    DateTimeOffset Created,
    DateTimeOffset Completed,
    long Size,
    int BlockSize,
    IReadOnlyDictionary<string, string> Labels,
    string? Base,
    BackupStats Stats,
    IReadOnlyList<BlockRef> Blocks);

/// <summary>What a backup did: blocks read from the replica, uploaded (and their stored bytes), and found in the target already.</summary>
public sealed record BackupStats(long ReadBlocks, long UploadedBlocks, long UploadedBytes, long ReusedBlocks);
