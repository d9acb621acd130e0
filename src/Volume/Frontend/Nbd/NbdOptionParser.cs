using System.Buffers.Binary;
using System.Text;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>What a client asked for with NBD_OPT_INFO or NBD_OPT_GO.</summary>
public sealed record NbdInfoRequest(string ExportName, bool WantsName, bool WantsDescription, bool WantsBlockSize);

/// <summary>An NBD_OPT_LIST_META_CONTEXT / NBD_OPT_SET_META_CONTEXT request.</summary>
public sealed record NbdMetaContextRequest(string ExportName, IReadOnlyList<string> Queries);

/// <summary>
/// Parses the data of handshake options. Pure; allocates (once per option, never per I/O). Returns false
/// for data that is syntactically invalid (the caller answers NBD_REP_ERR_INVALID).
/// </summary>
public static class NbdOptionParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Data: 32-bit name length, name, 16-bit count, count × 16-bit NBD_INFO types; nothing after.</summary>
    public static bool TryParseInfo(ReadOnlySpan<byte> data, out NbdInfoRequest request)
    {
        request = null!;
        if (data.Length < 6)
        {
            return false;
        }

        uint nameLength = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (nameLength > (uint)(data.Length - 6) || !TryDecode(data.Slice(4, (int)nameLength), out string name))
        {
            return false;
        }

        var rest = data[(4 + (int)nameLength)..];
        int count = BinaryPrimitives.ReadUInt16BigEndian(rest);
        if (rest.Length != 2 + 2 * count)
        {
            return false;
        }

        bool wantsName = false, wantsDescription = false, wantsBlockSize = false;
        for (int i = 0; i < count; i++)
        {
            switch (BinaryPrimitives.ReadUInt16BigEndian(rest[(2 + 2 * i)..]))
            {
                case NbdConstants.InfoName: wantsName = true; break;
                case NbdConstants.InfoDescription: wantsDescription = true; break;
                case NbdConstants.InfoBlockSize: wantsBlockSize = true; break;
                default: break; // the spec: ignore information requests not understood
            }
        }

        request = new NbdInfoRequest(name, wantsName, wantsDescription, wantsBlockSize);
        return true;
    }

    /// <summary>Data: 32-bit name length, name, 32-bit query count, each query a 32-bit length and a string.</summary>
    public static bool TryParseMetaContext(ReadOnlySpan<byte> data, out NbdMetaContextRequest request)
    {
        request = null!;
        if (!TryReadString(ref data, out string name) || data.Length < 4)
        {
            return false;
        }

        uint count = BinaryPrimitives.ReadUInt32BigEndian(data);
        data = data[4..];
        // Each query needs at least its 4-byte length: a larger count cannot be honest.
        if (count > (uint)data.Length / 4)
        {
            return false;
        }

        var queries = new List<string>((int)count);
        for (uint i = 0; i < count; i++)
        {
            if (!TryReadString(ref data, out string query))
            {
                return false;
            }

            queries.Add(query);
        }

        if (!data.IsEmpty)
        {
            return false;
        }

        request = new NbdMetaContextRequest(name, queries);
        return true;
    }

    /// <summary>Decodes an export name; invalid UTF-8 or an over-long name is refused.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out string value)
    {
        value = "";
        if (bytes.Length > NbdConstants.MaxStringLength || bytes.Contains((byte)0))
        {
            return false;
        }

        try
        {
            value = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool TryReadString(ref ReadOnlySpan<byte> data, out string value)
    {
        value = "";
        if (data.Length < 4)
        {
            return false;
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (length > (uint)(data.Length - 4) || !TryDecode(data.Slice(4, (int)length), out value))
        {
            return false;
        }

        data = data[(4 + (int)length)..];
        return true;
    }
}
