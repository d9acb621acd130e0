using ActorStore.Blocks.Chain;
using CsCheck;
using Xunit;

namespace ActorStore.Blocks.Tests;

public sealed class ReadIndexTests
{
    [Fact]
    public void Matches_a_byte_per_block_array_under_random_range_updates() =>
        Gen.Select(Gen.Long[1, 20_000], Gen.Select(Gen.Long[0, 19_999], Gen.Long[1, 9000], Gen.Byte[0, 6]).Array[1, 40])
            .Sample((blocks, updates) =>
            {
                var index = new ReadIndex(blocks);
                var model = new byte[blocks];
                foreach (var (start, count, layer) in updates)
                {
                    if (start >= blocks) continue;
                    var n = Math.Min(count, blocks - start);
                    index.SetRange(start, n, layer);
                    model.AsSpan((int)start, (int)n).Fill(layer);
                }
                for (long b = 0; b < blocks;)
                {
                    var run = index.Run(b, blocks - b, out var layer);
                    if (run <= 0 || layer != model[b]) return false;
                    for (var i = b; i < b + run; i++) if (model[i] != layer) return false;
                    if (b + run < blocks && model[b + run] == layer) return false;
                    b += run;
                }
                return true;
            }, iter: 300);

    [Fact]
    public void Replace_and_resize_keep_every_other_entry()
    {
        var index = new ReadIndex(10_000);
        index.SetRange(0, 5000, 3);
        index.SetRange(4096, 10, 7);
        index.Replace(3, 9);
        Assert.Equal(9, index[0]);
        Assert.Equal(7, index[4100]);
        Assert.Equal(0, index[9999]);
        index.Resize(100_000);
        Assert.Equal(0, index[50_000]);
        Assert.Equal(9, index[4999]);
        Assert.Equal(0, index[5000]);
    }

    [Fact]
    public void An_empty_1_TiB_volume_needs_under_16_MiB_of_index()
    {
        var index = new ReadIndex((1L << 40) / BlockSize.Bytes);
        Assert.True(index.MemoryBytes < 16 << 20, $"{index.MemoryBytes} bytes");
        index.SetRange(0, index.Blocks, 1); // one full layer is as cheap
        Assert.True(index.MemoryBytes < 16 << 20, $"{index.MemoryBytes} bytes");
    }
}
