namespace ActorStore.Backup;

/// <summary>
/// How a backup store works a target. <see cref="BlockSize"/>: 2 MiB as Longhorn's (a block is the unit of dedup and
/// of an incremental backup). <see cref="Parallelism"/>: blocks in flight per backup or restore.
/// <see cref="LeaseTime"/>: how long a backup or restore that stopped refreshing its lease still holds off collections.
/// </summary>
public sealed record BackupStoreOptions
{
    public int BlockSize { get; init; } = 2 << 20;
    public Compression Compression { get; init; } = Compression.Lz4;
    public int Parallelism { get; init; } = 4;
    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromMinutes(5);
}
