using System.Buffers.Binary;
using ActorStore.Blocks;

namespace ActorStore.Volume.Replicas.Data;

/// <summary>
/// The fixed 40-byte little-endian header in front of every frame, request or reply:
/// <code>
///  0 u32 magic   4 u8 op   5 u8 flags   6 u16 status (replies; 0 in requests)
///  8 u64 sequence (a reply echoes its request's)
/// 16 i64 offset  (Hello: the engine's epoch)
/// 24 i64 length  (Hello: the protocol version)
/// 32 u32 payload length (bytes that follow the header)   36 u32 reserved, zero
/// </code>
/// A request's payload: Write's data, Hello's volume UUID and replica id. A reply's: Read's data,
/// GetAllocation's encoded extents.
/// </summary>
internal readonly record struct FrameHeader(
    uint Magic, DataOp Op, DataFlags Flags, ReplicaStatus Status, ulong Sequence, long Offset, long Length, uint PayloadLength, uint Reserved = 0)
{
    public const int Size = 40;

    public void WriteTo(Span<byte> destination)
    {
        destination = destination[..Size];
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        destination[4] = (byte)Op;
        destination[5] = (byte)Flags;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], (ushort)Status);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], Offset);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[32..], PayloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[36..], Reserved);
    }

    public static FrameHeader ReadFrom(ReadOnlySpan<byte> source)
    {
        source = source[..Size];
        return new FrameHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(source),
            (DataOp)source[4],
            (DataFlags)source[5],
            (ReplicaStatus)BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[24..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[32..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[36..]));
    }
}
