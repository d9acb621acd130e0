using System.Buffers;
using System.Buffers.Binary;
using ActorStore.Blocks;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// Writes transmission-phase replies into a buffer: simple replies and structured reply chunks. Pure and
/// allocation-free; each method writes one whole message (header and payload), so a caller that holds
/// the connection's write lock around one call never interleaves two replies.
/// </summary>
public static class NbdReplyWriter
{
    /// <summary>Most descriptors sent in one BLOCK_STATUS chunk; the spec lets a server return fewer than asked.</summary>
    public const int MaxBlockStatusDescriptors = 1024;

    /// <summary>A simple reply: magic, error, cookie. A successful READ's data follows it, queued by the caller.</summary>
    public static void WriteSimple(IBufferWriter<byte> writer, ulong cookie, uint error)
    {
        var span = writer.GetSpan(NbdConstants.SimpleReplyHeaderSize);
        BinaryPrimitives.WriteUInt32BigEndian(span, NbdConstants.SimpleReplyMagic);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], error);
        BinaryPrimitives.WriteUInt64BigEndian(span[8..], cookie);
        writer.Advance(NbdConstants.SimpleReplyHeaderSize);
    }

    /// <summary>The chunk header and offset of NBD_REPLY_TYPE_OFFSET_DATA; the caller sends <paramref name="dataLength"/> bytes of data right after.</summary>
    public static void WriteOffsetDataHeader(IBufferWriter<byte> writer, ulong cookie, ulong offset, int dataLength, bool done)
    {
        const int total = NbdConstants.StructuredReplyHeaderSize + 8;
        var span = writer.GetSpan(total);
        WriteChunkHeader(span, cookie, done ? NbdConstants.ReplyFlagDone : (ushort)0, NbdConstants.ReplyTypeOffsetData, 8 + dataLength);
        BinaryPrimitives.WriteUInt64BigEndian(span[NbdConstants.StructuredReplyHeaderSize..], offset);
        writer.Advance(total);
    }

    /// <summary>NBD_REPLY_TYPE_NONE with DONE: a successful end of a structured reply.</summary>
    public static void WriteNone(IBufferWriter<byte> writer, ulong cookie)
    {
        var span = writer.GetSpan(NbdConstants.StructuredReplyHeaderSize);
        WriteChunkHeader(span, cookie, NbdConstants.ReplyFlagDone, NbdConstants.ReplyTypeNone, 0);
        writer.Advance(NbdConstants.StructuredReplyHeaderSize);
    }

    /// <summary>NBD_REPLY_TYPE_ERROR with DONE: error, message length, message.</summary>
    public static void WriteError(IBufferWriter<byte> writer, ulong cookie, uint error, ReadOnlySpan<byte> message)
    {
        int payload = 6 + message.Length;
        var span = writer.GetSpan(NbdConstants.StructuredReplyHeaderSize + payload);
        WriteChunkHeader(span, cookie, NbdConstants.ReplyFlagDone, NbdConstants.ReplyTypeError, payload);
        var body = span[NbdConstants.StructuredReplyHeaderSize..];
        BinaryPrimitives.WriteUInt32BigEndian(body, error);
        BinaryPrimitives.WriteUInt16BigEndian(body[4..], (ushort)message.Length);
        message.CopyTo(body[6..]);
        writer.Advance(NbdConstants.StructuredReplyHeaderSize + payload);
    }

    /// <summary>
    /// One NBD_REPLY_TYPE_BLOCK_STATUS chunk with DONE for base:allocation over [offset, offset + length).
    /// Extents are clipped to the request, neighbours with the same status are merged, a hole is reported
    /// as HOLE | ZERO (it reads as zeros), and with <paramref name="reqOne"/> exactly one descriptor is sent.
    /// Returns false, writing nothing, when no extent falls inside the request.
    /// </summary>
    public static bool WriteBlockStatus(
        IBufferWriter<byte> writer, ulong cookie, uint contextId, ulong offset, uint length, bool reqOne,
        ReadOnlySpan<AllocationExtent> extents)
    {
        int cap = reqOne ? 1 : Math.Min(extents.Length, MaxBlockStatusDescriptors);
        if (cap == 0 || length == 0)
        {
            return false;
        }

        var span = writer.GetSpan(NbdConstants.StructuredReplyHeaderSize + 4 + 8 * cap);
        var descriptors = span[(NbdConstants.StructuredReplyHeaderSize + 4)..];
        ulong end = offset + length;
        ulong next = offset;
        int count = 0;
        uint lastFlags = 0;
        foreach (var extent in extents)
        {
            ulong start = Math.Max((ulong)extent.Offset, next);
            ulong stop = Math.Min((ulong)(extent.Offset + extent.Length), end);
            // Extents must be consecutive from the request's start; a gap or overlap ends the reply early.
            if (extent.Length <= 0 || start != next || stop <= start)
            {
                break;
            }

            uint flags = extent.IsHole ? NbdConstants.StateHole | NbdConstants.StateZero : 0u;
            if (count > 0 && flags == lastFlags)
            {
                var previous = descriptors[(8 * (count - 1))..];
                BinaryPrimitives.WriteUInt32BigEndian(previous, BinaryPrimitives.ReadUInt32BigEndian(previous) + (uint)(stop - start));
            }
            else if (count == cap)
            {
                break;
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(descriptors[(8 * count)..], (uint)(stop - start));
                BinaryPrimitives.WriteUInt32BigEndian(descriptors[(8 * count + 4)..], flags);
                lastFlags = flags;
                count++;
            }

            next = stop;
            if (next == end)
            {
                break;
            }
        }

        if (count == 0)
        {
            return false;
        }

        int payload = 4 + 8 * count;
        WriteChunkHeader(span, cookie, NbdConstants.ReplyFlagDone, NbdConstants.ReplyTypeBlockStatus, payload);
        BinaryPrimitives.WriteUInt32BigEndian(span[NbdConstants.StructuredReplyHeaderSize..], contextId);
        writer.Advance(NbdConstants.StructuredReplyHeaderSize + payload);
        return true;
    }

    private static void WriteChunkHeader(Span<byte> span, ulong cookie, ushort flags, ushort type, int payloadLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(span, NbdConstants.StructuredReplyMagic);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], type);
        BinaryPrimitives.WriteUInt64BigEndian(span[8..], cookie);
        BinaryPrimitives.WriteUInt32BigEndian(span[16..], (uint)payloadLength);
    }
}
