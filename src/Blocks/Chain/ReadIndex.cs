namespace ActorStore.Blocks.Chain;

/// <summary>
/// Block → id of the newest layer holding it (0: no layer, reads as zeros). One byte per block as in
/// Longhorn, but kept per chunk of 4096 blocks (16 MiB of volume): a chunk whose blocks all share one
/// layer is stored as that single byte, so an empty or uniform 1 TiB volume needs well under 1 MiB.
/// Lookups are O(1). Concurrent <see cref="Set"/> calls on different blocks are safe; callers order
/// writes to the same block (DESIGN §3) and hold the replica's exclusive lock for bulk changes.
/// </summary>
public sealed class ReadIndex
{
    private const int ChunkShift = 12;
    private const int ChunkBlocks = 1 << ChunkShift;
    private const long ChunkMask = ChunkBlocks - 1;

    private byte[] _uniform;
    private byte[]?[] _chunks;
    private readonly object _materialize = new();

    public ReadIndex(long blocks)
    {
        Blocks = blocks;
        var chunks = ChunkCount(blocks);
        _uniform = new byte[chunks];
        _chunks = new byte[chunks][];
    }

    public long Blocks { get; private set; }

    /// <summary>Bytes of memory the index holds (tables plus materialized chunks).</summary>
    public long MemoryBytes => _uniform.Length + (long)_chunks.Length * IntPtr.Size + _chunks.Count(c => c is not null) * (long)(ChunkBlocks + 24);

    public byte this[long block]
    {
        get
        {
            var chunk = _chunks[block >> ChunkShift];
            return chunk is null ? _uniform[block >> ChunkShift] : chunk[block & ChunkMask];
        }
    }

    public void Set(long block, byte layer) => SetRange(block, 1, layer);

    public void SetRange(long start, long count, byte layer)
    {
        var end = start + count;
        while (start < end)
        {
            var c = start >> ChunkShift;
            var within = (int)(start & ChunkMask);
            var n = (int)Math.Min(end - start, ChunkBlocks - within);
            var chunk = Volatile.Read(ref _chunks[c]);
            if (chunk is not null) chunk.AsSpan(within, n).Fill(layer);
            else if (n == ChunkBlocks) SetUniform(c, layer);
            else if (_uniform[c] != layer) Materialize(c).AsSpan(within, n).Fill(layer);
            start += n;
        }
    }

    /// <summary>
    /// The number of blocks from <paramref name="block"/> (at most <paramref name="max"/>) that share its layer.
    /// </summary>
    public long Run(long block, long max, out byte layer)
    {
        layer = this[block];
        long run = 0;
        while (run < max)
        {
            var b = block + run;
            var c = b >> ChunkShift;
            var within = (int)(b & ChunkMask);
            var room = (int)Math.Min(max - run, ChunkBlocks - within);
            var chunk = _chunks[c];
            if (chunk is null)
            {
                if (_uniform[c] != layer) return run;
                run += room;
                continue;
            }
            var differs = chunk.AsSpan(within, room).IndexOfAnyExcept(layer);
            if (differs >= 0) return run + differs;
            run += room;
        }
        return run;
    }

    /// <summary>Every block that names <paramref name="from"/> names <paramref name="to"/> afterwards.</summary>
    public void Replace(byte from, byte to)
    {
        for (var c = 0; c < _chunks.Length; c++)
        {
            var chunk = _chunks[c];
            if (chunk is null)
            {
                if (_uniform[c] == from) _uniform[c] = to;
                continue;
            }
            chunk.AsSpan().Replace(from, to);
        }
    }

    /// <summary>Grows the index; new blocks name no layer.</summary>
    public void Resize(long blocks)
    {
        if (blocks < Blocks) throw new ArgumentOutOfRangeException(nameof(blocks), "the read index only grows");
        var oldChunks = _chunks.Length;
        var chunks = ChunkCount(blocks);
        // The last old chunk may be partial: its tail beyond the old size must read as 0.
        if (oldChunks > 0 && (Blocks & ChunkMask) != 0 && (_chunks[oldChunks - 1] is not null || _uniform[oldChunks - 1] != 0))
            Materialize(oldChunks - 1).AsSpan((int)(Blocks & ChunkMask)).Clear();
        Array.Resize(ref _uniform, chunks);
        Array.Resize(ref _chunks, chunks);
        Blocks = blocks;
    }

    private void SetUniform(long c, byte layer)
    {
        lock (_materialize)
        {
            var chunk = _chunks[c];
            if (chunk is null) _uniform[c] = layer;
            else chunk.AsSpan().Fill(layer);
        }
    }

    private byte[] Materialize(long c)
    {
        lock (_materialize)
        {
            var chunk = _chunks[c];
            if (chunk is not null) return chunk;
            chunk = new byte[ChunkBlocks];
            chunk.AsSpan().Fill(_uniform[c]);
            Volatile.Write(ref _chunks[c], chunk);
            return chunk;
        }
    }

    private static int ChunkCount(long blocks) => checked((int)((blocks + ChunkMask) >> ChunkShift));
}
