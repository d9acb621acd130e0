using ActorStore.Backup.Records;

namespace ActorStore.Backup;

/// <summary>
/// A backup of <paramref name="Snapshot"/> of <paramref name="Volume"/>. <paramref name="ReadBlocks"/>: the indices of the
/// blocks that may differ from <paramref name="Base"/> (every allocated block when there is no base) — only these are
/// read; the others are taken from the base's record, or are holes. <paramref name="Holder"/>: the node doing it.
/// </summary>
public sealed record BackupRequest(
    string Volume,
    Guid VolumeId,
    string Snapshot,
    DateTimeOffset SnapshotCreated,
    long Size,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<long> ReadBlocks,
    BackupRecord? Base,
    string Holder,
    string? Id = null);
