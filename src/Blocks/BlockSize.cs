namespace ActorStore.Blocks;

/// <summary>The unit of the read index, copy-up and extent maps: 4 KiB, the page and ext4 block size.</summary>
public static class BlockSize
{
    public const int Bytes = 4096;
    public const int Shift = 12;

    public static long BlockOf(long offset) => offset >> Shift;

    public static long BlocksIn(long bytes) => (bytes + Bytes - 1) >> Shift;

    public static bool IsAligned(long value) => (value & (Bytes - 1)) == 0;
}
