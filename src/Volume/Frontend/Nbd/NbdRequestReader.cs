using System.Buffers;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>Parses transmission-phase request headers and handshake option headers. Pure: no I/O, no allocation.</summary>
public static class NbdRequestReader
{
    /// <summary>
    /// Reads one 28-byte request header. On <see cref="NbdParseStatus.Ok"/> the reader is past it (a WRITE's
    /// payload is next); otherwise the reader is unchanged. A bad magic is <see cref="NbdParseStatus.Malformed"/>:
    /// there is no way to find the next request, so the connection must close.
    /// </summary>
    public static NbdParseStatus TryReadRequest(ref SequenceReader<byte> reader, out NbdRequest request)
    {
        request = default;
        if (reader.Remaining < NbdConstants.RequestHeaderSize)
        {
            return PeekMagic(ref reader);
        }

        reader.TryReadBigEndian(out int magic);
        if ((uint)magic != NbdConstants.RequestMagic)
        {
            reader.Rewind(4);
            return NbdParseStatus.Malformed;
        }

        reader.TryReadBigEndian(out short flags);
        reader.TryReadBigEndian(out short type);
        reader.TryReadBigEndian(out long cookie);
        reader.TryReadBigEndian(out long offset);
        reader.TryReadBigEndian(out int length);
        request = new NbdRequest((ushort)flags, (ushort)type, (ulong)cookie, (ulong)offset, (uint)length);
        return NbdParseStatus.Ok;
    }

    /// <summary>
    /// Reads one 16-byte option header (IHAVEOPT, option, length). The option's data is not consumed.
    /// A wrong magic, or a length above <see cref="NbdConstants.MaxOptionLength"/>, is malformed.
    /// </summary>
    public static NbdParseStatus TryReadOptionHeader(ref SequenceReader<byte> reader, out uint option, out uint length)
    {
        option = 0;
        length = 0;
        if (reader.Remaining < NbdConstants.OptionHeaderSize)
        {
            return NbdParseStatus.NeedMoreData;
        }

        reader.TryReadBigEndian(out long magic);
        reader.TryReadBigEndian(out int opt);
        reader.TryReadBigEndian(out int len);
        if ((ulong)magic != NbdConstants.IHaveOpt || (uint)len > NbdConstants.MaxOptionLength)
        {
            reader.Rewind(NbdConstants.OptionHeaderSize);
            return NbdParseStatus.Malformed;
        }

        option = (uint)opt;
        length = (uint)len;
        return NbdParseStatus.Ok;
    }

    // A short buffer whose first bytes already contradict the magic is malformed now: waiting for more
    // bytes from a client that sends garbage would only hold the connection open.
    private static NbdParseStatus PeekMagic(ref SequenceReader<byte> reader)
    {
        Span<byte> head = stackalloc byte[4];
        int n = (int)Math.Min(4, reader.Remaining);
        reader.TryCopyTo(head[..n]);
        for (int i = 0; i < n; i++)
        {
            if (head[i] != (byte)(NbdConstants.RequestMagic >> (24 - 8 * i)))
            {
                return NbdParseStatus.Malformed;
            }
        }

        return NbdParseStatus.NeedMoreData;
    }
}
