using System.Text;
using Xunit;

namespace ActorStore.Backup.Tests;

public sealed class BlockCodecTests
{
    private static byte[] TextLike(int length)
    {
        var text = new StringBuilder();
        var random = new Random(1);
        while (text.Length < length) text.Append($"{DateTime.UnixEpoch.AddSeconds(random.Next()):O} INFO request {random.Next(1000)} served in {random.Next(100)} ms\n");
        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    [Theory]
    [InlineData(Compression.None)]
    [InlineData(Compression.Lz4)]
    [InlineData(Compression.Zstd)]
    public void A_block_decodes_to_what_was_encoded_and_compressible_data_shrinks(Compression compression)
    {
        using var codec = new BlockCodec(compression);
        foreach (var (plain, compressible) in new[] { (TextLike(2 << 20), true), (TestVolume.Pattern(2 << 20, 3), false), (TextLike(8192), true) })
        {
            using var stored = codec.Encode(plain);
            var length = stored.Length;
            var (decoded, why) = codec.Decode(stored.Memory, new byte[2 << 20], BlockCodec.Hash(plain));
            Assert.Null(why);
            Assert.Equal(plain, decoded.ToArray());
            if (compression != Compression.None && compressible) Assert.True(length < plain.Length / 2, $"{length} bytes stored");
            Assert.True(length <= plain.Length + BlockCodec.HeaderLength, "incompressible data is stored plain");
        }
    }

    [Fact]
    public void A_damaged_block_is_refused_with_the_reason()
    {
        using var codec = new BlockCodec(Compression.Lz4);
        var plain = TextLike(1 << 20);
        var hash = BlockCodec.Hash(plain);
        using var stored = codec.Encode(plain);
        var length = stored.Length;
        var good = stored.Span.ToArray();
        var back = new byte[2 << 20];

        var flipped = (byte[])good.Clone();
        flipped[length / 2] ^= 1;
        Assert.NotNull(codec.Decode(flipped, back, hash).Corrupt);
        Assert.Contains("header", codec.Decode(good[..5], back, hash).Corrupt);
        Assert.Contains("hashes to", codec.Decode(good, back, new string('0', 64)).Corrupt);
        var bigger = (byte[])good.Clone();
        bigger[8] = 0xff;
        bigger[11] = 0x7f;
        Assert.Contains("more than a block", codec.Decode(bigger, back, hash).Corrupt);
    }

    [Fact]
    public void Zeros_are_a_hole_and_not_a_block()
    {
        Assert.True(BlockCodec.IsZero(new byte[2 << 20]));
        var one = new byte[2 << 20];
        one[^1] = 1;
        Assert.False(BlockCodec.IsZero(one));
    }
}
