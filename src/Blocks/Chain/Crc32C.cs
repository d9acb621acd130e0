using System.Buffers.Binary;
using System.Numerics;

namespace ActorStore.Blocks.Chain;

/// <summary>CRC-32C (Castagnoli) over a span or a stream of spans, hardware-accelerated where the CPU has it.</summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>The CRC of what <paramref name="crc"/> covered followed by <paramref name="data"/> (0 for nothing yet).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        crc = ~crc;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
