using ActorStore.Blocks.Chain;

namespace ActorStore.Blocks.Bench;

/// <summary>Read-index memory for a volume too big to write here: the index is filled as opening such a chain would fill it.</summary>
internal static class IndexMemory
{
    public static long WithRandomLayers(long blocks, int layers, double fraction, int seed)
    {
        var index = new ReadIndex(blocks);
        var rng = new Random(seed);
        var every = (long)(1 / fraction);
        for (var layer = 1; layer <= layers; layer++)
            for (var b = rng.NextInt64(every); b < blocks; b += 1 + rng.NextInt64(2 * every - 1))
                index.Set(b, (byte)layer);
        return index.MemoryBytes;
    }
}
