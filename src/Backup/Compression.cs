namespace ActorStore.Backup;

/// <summary>How the blocks a backup uploads are compressed; a block names its own, so a target may hold a mix.</summary>
public enum Compression : byte
{
    None = 0,
    Lz4 = 1,
    Zstd = 2,
}
