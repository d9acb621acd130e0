using ActorStore.Blocks.Chain;

namespace ActorStore.Blocks;

/// <summary>
/// What a rebuild checks a copied snapshot layer by (DESIGN §5): the number of data bytes and their CRC-32C,
/// taken over the layer's extents in offset order. The copier folds in each piece as it reads it from the
/// source; the target computes it from its file; the two must agree, however the pieces were cut.
/// </summary>
public readonly record struct LayerDigest(long Bytes, uint Crc)
{
    public static LayerDigest Empty => new(0, 0);

    public LayerDigest Append(ReadOnlySpan<byte> data) => new(Bytes + data.Length, Crc32C.Append(Crc, data));

    public override string ToString() => $"{Bytes} bytes, crc32c {Crc:x8}";
}
