using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorStore.Volume.Frontend.Nbd;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>
/// A blocking NBD client on a raw socket, for tests that send exactly the bytes they mean (bad ones too).
/// Synchronous socket calls allocate nothing, so the allocation test can drive the server with it.
/// </summary>
public sealed class RawClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _header = new byte[32];

    private RawClient(Socket socket) => _socket = socket;

    public Socket Socket => _socket;

    /// <summary>Connects and reads nothing (for garbage tests).</summary>
    public static RawClient ConnectBare(IPEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = 10_000,
            SendTimeout = 10_000,
        };
        socket.Connect(endpoint);
        return new RawClient(socket);
    }

    /// <summary>Connects, checks the greeting, sends client flags FIXED_NEWSTYLE | NO_ZEROES.</summary>
    public static RawClient Connect(IPEndPoint endpoint)
    {
        var client = ConnectBare(endpoint);
        var greeting = client.Receive(18);
        if (BinaryPrimitives.ReadUInt64BigEndian(greeting) != NbdConstants.InitPasswd
            || BinaryPrimitives.ReadUInt64BigEndian(greeting.AsSpan(8)) != NbdConstants.IHaveOpt)
        {
            throw new InvalidOperationException("bad greeting");
        }

        client.SendUInt32(NbdConstants.ClientFlagFixedNewstyle | NbdConstants.ClientFlagNoZeroes);
        return client;
    }

    /// <summary>Connect, optionally negotiate structured replies and base:allocation, then NBD_OPT_GO.</summary>
    public static RawClient Open(IPEndPoint endpoint, string export = "disk", bool structured = false, bool meta = false)
    {
        var client = Connect(endpoint);
        if (structured)
        {
            client.SendOption(NbdConstants.OptStructuredReply, []);
            client.ExpectAck(NbdConstants.OptStructuredReply);
        }

        if (meta)
        {
            client.SendOption(NbdConstants.OptSetMetaContext, MetaContextData(export, NbdConstants.BaseAllocation));
            var reply = client.ReadOptionReply();
            if (reply.Type != NbdConstants.RepMetaContext)
            {
                throw new InvalidOperationException($"SET_META_CONTEXT: reply {reply.Type:x}");
            }

            client.ExpectAck(NbdConstants.OptSetMetaContext);
        }

        client.SendOption(NbdConstants.OptGo, InfoData(export));
        while (true)
        {
            var reply = client.ReadOptionReply();
            if (reply.Type == NbdConstants.RepAck)
            {
                return client;
            }

            if (reply.Type != NbdConstants.RepInfo)
            {
                throw new InvalidOperationException($"GO: reply 0x{reply.Type:x}");
            }
        }
    }

    public static byte[] InfoData(string export, params ushort[] infos)
    {
        byte[] name = Encoding.UTF8.GetBytes(export);
        var data = new byte[4 + name.Length + 2 + 2 * infos.Length];
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)name.Length);
        name.CopyTo(data, 4);
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(4 + name.Length), (ushort)infos.Length);
        for (int i = 0; i < infos.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(6 + name.Length + 2 * i), infos[i]);
        }

        return data;
    }

    public static byte[] MetaContextData(string export, params string[] queries)
    {
        var stream = new MemoryStream();
        void WriteString(string s)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(s);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bytes.Length);
            stream.Write(length);
            stream.Write(bytes);
        }

        WriteString(export);
        Span<byte> count = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(count, (uint)queries.Length);
        stream.Write(count);
        foreach (string query in queries)
        {
            WriteString(query);
        }

        return stream.ToArray();
    }

    public void SendOption(uint option, byte[] data)
    {
        var message = new byte[16 + data.Length];
        BinaryPrimitives.WriteUInt64BigEndian(message, NbdConstants.IHaveOpt);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), option);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(12), (uint)data.Length);
        data.CopyTo(message, 16);
        Send(message);
    }

    public (uint Option, uint Type, byte[] Data) ReadOptionReply()
    {
        var header = Receive(20);
        if (BinaryPrimitives.ReadUInt64BigEndian(header) != NbdConstants.OptionReplyMagic)
        {
            throw new InvalidOperationException("bad option reply magic");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16));
        return (BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8)), BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12)), Receive((int)length));
    }

    public void ExpectAck(uint option)
    {
        var reply = ReadOptionReply();
        if (reply.Option != option || reply.Type != NbdConstants.RepAck)
        {
            throw new InvalidOperationException($"option {option}: expected ACK, got 0x{reply.Type:x}");
        }
    }

    /// <summary>Writes a 28-byte request header (and the payload, if any) into <paramref name="into"/>; returns the bytes used.</summary>
    public static int EncodeRequest(Span<byte> into, ushort type, ushort flags, ulong cookie, ulong offset, uint length)
    {
        BinaryPrimitives.WriteUInt32BigEndian(into, NbdConstants.RequestMagic);
        BinaryPrimitives.WriteUInt16BigEndian(into[4..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(into[6..], type);
        BinaryPrimitives.WriteUInt64BigEndian(into[8..], cookie);
        BinaryPrimitives.WriteUInt64BigEndian(into[16..], offset);
        BinaryPrimitives.WriteUInt32BigEndian(into[24..], length);
        return NbdConstants.RequestHeaderSize;
    }

    public void SendRequest(ushort type, ushort flags, ulong cookie, ulong offset, uint length, ReadOnlySpan<byte> payload = default)
    {
        EncodeRequest(_header, type, flags, cookie, offset, length);
        Send(_header.AsSpan(0, NbdConstants.RequestHeaderSize));
        if (!payload.IsEmpty)
        {
            Send(payload);
        }
    }

    /// <summary>Reads a simple reply header; returns (error, cookie).</summary>
    public (uint Error, ulong Cookie) ReadSimpleReply()
    {
        ReceiveInto(_header.AsSpan(0, 16));
        if (BinaryPrimitives.ReadUInt32BigEndian(_header) != NbdConstants.SimpleReplyMagic)
        {
            throw new InvalidOperationException("bad simple reply magic");
        }

        return (BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4)), BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(8)));
    }

    /// <summary>Reads one structured chunk: (flags, type, cookie, payload).</summary>
    public (ushort Flags, ushort Type, ulong Cookie, byte[] Payload) ReadChunk()
    {
        ReceiveInto(_header.AsSpan(0, 20));
        if (BinaryPrimitives.ReadUInt32BigEndian(_header) != NbdConstants.StructuredReplyMagic)
        {
            throw new InvalidOperationException("bad structured reply magic");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(16));
        return (BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(4)), BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(6)),
            BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(8)), Receive((int)length));
    }

    public void SendUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        Send(bytes);
    }

    public void Send(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[_socket.Send(bytes)..];
        }
    }

    public byte[] Receive(int count)
    {
        var bytes = new byte[count];
        ReceiveInto(bytes);
        return bytes;
    }

    public void ReceiveInto(Span<byte> into)
    {
        while (!into.IsEmpty)
        {
            int n = _socket.Receive(into);
            if (n == 0)
            {
                throw new EndOfStreamException("server closed the connection");
            }

            into = into[n..];
        }
    }

    /// <summary>True when the server closes (EOF or reset) within the receive timeout, ignoring any bytes before.</summary>
    public bool WaitForClose()
    {
        var sink = new byte[4096];
        try
        {
            while (_socket.Receive(sink) > 0)
            {
            }

            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
