using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>Writes the server's side of the fixed newstyle handshake into a buffer. Pure.</summary>
public static class NbdOptionReplyWriter
{
    /// <summary>NBDMAGIC, IHAVEOPT, handshake flags (FIXED_NEWSTYLE | NO_ZEROES).</summary>
    public static void WriteGreeting(IBufferWriter<byte> writer)
    {
        var span = writer.GetSpan(18);
        BinaryPrimitives.WriteUInt64BigEndian(span, NbdConstants.InitPasswd);
        BinaryPrimitives.WriteUInt64BigEndian(span[8..], NbdConstants.IHaveOpt);
        BinaryPrimitives.WriteUInt16BigEndian(span[16..], NbdConstants.FlagFixedNewstyle | NbdConstants.FlagNoZeroes);
        writer.Advance(18);
    }

    /// <summary>One option reply: magic, option, reply type, length, data.</summary>
    public static void WriteReply(IBufferWriter<byte> writer, uint option, uint replyType, ReadOnlySpan<byte> data)
    {
        var span = writer.GetSpan(NbdConstants.OptionReplyHeaderSize + data.Length);
        BinaryPrimitives.WriteUInt64BigEndian(span, NbdConstants.OptionReplyMagic);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], option);
        BinaryPrimitives.WriteUInt32BigEndian(span[12..], replyType);
        BinaryPrimitives.WriteUInt32BigEndian(span[16..], (uint)data.Length);
        data.CopyTo(span[NbdConstants.OptionReplyHeaderSize..]);
        writer.Advance(NbdConstants.OptionReplyHeaderSize + data.Length);
    }

    /// <summary>An error reply with a message for a human.</summary>
    public static void WriteError(IBufferWriter<byte> writer, uint option, uint errorType, string message) =>
        WriteReply(writer, option, errorType, Encoding.UTF8.GetBytes(message));

    /// <summary>NBD_REP_SERVER for NBD_OPT_LIST: 32-bit name length then the name.</summary>
    public static void WriteServer(IBufferWriter<byte> writer, string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        var data = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)bytes.Length);
        bytes.CopyTo(data, 4);
        WriteReply(writer, NbdConstants.OptList, NbdConstants.RepServer, data);
    }

    /// <summary>NBD_REP_INFO / NBD_INFO_EXPORT: size and transmission flags.</summary>
    public static void WriteInfoExport(IBufferWriter<byte> writer, uint option, long size, ushort flags)
    {
        Span<byte> data = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(data, NbdConstants.InfoExport);
        BinaryPrimitives.WriteUInt64BigEndian(data[2..], (ulong)size);
        BinaryPrimitives.WriteUInt16BigEndian(data[10..], flags);
        WriteReply(writer, option, NbdConstants.RepInfo, data);
    }

    /// <summary>NBD_REP_INFO / NBD_INFO_BLOCK_SIZE: minimum, preferred, maximum.</summary>
    public static void WriteInfoBlockSize(IBufferWriter<byte> writer, uint option)
    {
        Span<byte> data = stackalloc byte[14];
        BinaryPrimitives.WriteUInt16BigEndian(data, NbdConstants.InfoBlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(data[2..], NbdConstants.MinimumBlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(data[6..], NbdConstants.PreferredBlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(data[10..], NbdConstants.MaximumBlockSize);
        WriteReply(writer, option, NbdConstants.RepInfo, data);
    }

    /// <summary>NBD_REP_INFO with a string item (NBD_INFO_NAME or NBD_INFO_DESCRIPTION).</summary>
    public static void WriteInfoString(IBufferWriter<byte> writer, uint option, ushort infoType, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        var data = new byte[2 + bytes.Length];
        BinaryPrimitives.WriteUInt16BigEndian(data, infoType);
        bytes.CopyTo(data, 2);
        WriteReply(writer, option, NbdConstants.RepInfo, data);
    }

    /// <summary>NBD_REP_META_CONTEXT: 32-bit context id then the context name.</summary>
    public static void WriteMetaContext(IBufferWriter<byte> writer, uint option, uint contextId, string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        var data = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteUInt32BigEndian(data, contextId);
        bytes.CopyTo(data, 4);
        WriteReply(writer, option, NbdConstants.RepMetaContext, data);
    }

    /// <summary>The reply to NBD_OPT_EXPORT_NAME: size, transmission flags, and 124 zeroes unless NO_ZEROES.</summary>
    public static void WriteExportNameReply(IBufferWriter<byte> writer, long size, ushort flags, bool noZeroes)
    {
        int length = noZeroes ? 10 : 134;
        var span = writer.GetSpan(length)[..length];
        span.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(span, (ulong)size);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], flags);
        writer.Advance(length);
    }
}
