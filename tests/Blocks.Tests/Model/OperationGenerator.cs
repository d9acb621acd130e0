namespace ActorStore.Blocks.Tests.Model;

/// <summary>Random operation sequences that stay mostly valid (so they reach deep states) with some invalid steps mixed in.</summary>
public static class OperationGenerator
{
    private const int B = BlockSize.Bytes;

    public static Operation Next(Random rng, long size, IReadOnlyList<string> names, bool allowReopen = true)
    {
        string AnyName() => names.Count > 0 && rng.Next(6) > 0 ? names[rng.Next(names.Count)] : NewName(rng);
        var roll = rng.Next(100);
        return roll switch
        {
            < 34 => Range(OpKind.Write, rng, size) with { DataSeed = rng.Next() },
            < 42 => Range(OpKind.Zero, rng, size) with { Allocate = rng.Next(3) == 0 },
            < 49 => Range(OpKind.Trim, rng, size),
            < 60 => new Operation(OpKind.Snapshot, Name: rng.Next(20) == 0 && names.Count > 0 ? names[0] : NewName(rng)),
            < 68 => new Operation(OpKind.Delete, Name: AnyName()),
            < 75 => new Operation(OpKind.Purge),
            < 81 => new Operation(OpKind.Revert, Name: AnyName()),
            < 85 => new Operation(OpKind.Expand, Length: rng.Next(10) == 0 ? size - B : size + rng.Next(0, 9) * B),
            < 91 => new Operation(OpKind.Flush),
            < 93 => new Operation(OpKind.Rebuilding, Allocate: rng.Next(2) == 0),
            _ => allowReopen ? new Operation(OpKind.Reopen) : new Operation(OpKind.Flush),
        };
    }

    private static string NewName(Random rng) => rng.Next(25) == 0 ? "Bad_Name" : $"s{rng.Next(100000)}";

    private static Operation Range(OpKind kind, Random rng, long size)
    {
        if (rng.Next(40) == 0) return new Operation(kind, Offset: size - B, Length: 2 * B); // past the end
        long offset, length;
        switch (rng.Next(3))
        {
            case 0: // aligned whole blocks
                offset = rng.NextInt64(0, size / B) * B;
                length = rng.NextInt64(1, Math.Min(6, size / B - offset / B) + 1) * B;
                break;
            case 1: // small and unaligned, often within one block
                offset = rng.NextInt64(0, size - 1);
                length = rng.NextInt64(1, Math.Min(size - offset, 3000) + 1);
                break;
            default: // unaligned, spanning blocks
                offset = rng.NextInt64(0, size - 1);
                length = rng.NextInt64(1, Math.Min(size - offset, 5 * B) + 1);
                break;
        }
        return new Operation(kind, offset, length);
    }
}
