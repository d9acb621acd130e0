using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// A deliberately minimal NBD client over a raw socket (fixed newstyle, NBD_OPT_GO, simple replies), for
/// the bad-input tests: real clients never send a bad magic or stop mid-write, so the test must. Also used
/// as a long-lived "other client" that must be unaffected by what the bad ones do.
/// </summary>
public sealed class RawNbdClient : IAsyncDisposable
{
    public const uint RequestMagic = 0x25609513;
    private const uint SimpleReplyMagic = 0x67446698;
    private const ulong OptionMagic = 0x49484156454F5054; // "IHAVEOPT"
    private const ulong OptionReplyMagic = 0x3e889045565a9;
    private const uint OptGo = 7;
    private const uint RepAck = 1;
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(30);

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private ulong _handle;

    private RawNbdClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public NetworkStream Stream => _stream;

    /// <summary>Connects and reads the server's greeting (NBDMAGIC, IHAVEOPT, handshake flags).</summary>
    public static async Task<RawNbdClient> ConnectAsync(string host, int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(host, port).WaitAsync(IoTimeout);
        var client = new RawNbdClient(tcp);
        var greeting = await client.ReadExactlyAsync(18);
        if (Encoding.ASCII.GetString(greeting, 0, 8) != "NBDMAGIC" || BinaryPrimitives.ReadUInt64BigEndian(greeting.AsSpan(8)) != OptionMagic)
            throw new InvalidDataException($"not a fixed-newstyle greeting: {Convert.ToHexString(greeting)}");
        return client;
    }

    /// <summary>Connects and negotiates <paramref name="export"/> with NBD_OPT_GO; returns the export size.</summary>
    public static async Task<(RawNbdClient Client, long Size)> OpenAsync(string host, int port, string export)
    {
        var client = await ConnectAsync(host, port);
        try
        {
            return (client, await client.GoAsync(export));
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private async Task<long> GoAsync(string export)
    {
        await WriteAsync(U32(3)); // client flags: FIXED_NEWSTYLE | NO_ZEROES
        var name = Encoding.UTF8.GetBytes(export);
        var option = new byte[16 + 4 + name.Length + 2];
        BinaryPrimitives.WriteUInt64BigEndian(option, OptionMagic);
        BinaryPrimitives.WriteUInt32BigEndian(option.AsSpan(8), OptGo);
        BinaryPrimitives.WriteUInt32BigEndian(option.AsSpan(12), (uint)(4 + name.Length + 2));
        BinaryPrimitives.WriteUInt32BigEndian(option.AsSpan(16), (uint)name.Length);
        name.CopyTo(option, 20);
        await WriteAsync(option);
        long size = -1;
        while (true)
        {
            var header = await ReadExactlyAsync(20);
            if (BinaryPrimitives.ReadUInt64BigEndian(header) != OptionReplyMagic) throw new InvalidDataException("bad option reply magic");
            var type = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));
            var data = await ReadExactlyAsync((int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16)));
            if (type == RepAck) break;
            if ((type & 0x80000000) != 0) throw new InvalidOperationException($"NBD_OPT_GO '{export}' refused: reply type 0x{type:x}");
            if (data.Length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(data) == 0) // NBD_INFO_EXPORT: size, flags
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(2));
        }
        return size;
    }

    public Task SendRequestAsync(ushort type, long offset, int length, uint magic = RequestMagic, ReadOnlyMemory<byte> payload = default)
    {
        var request = new byte[28];
        BinaryPrimitives.WriteUInt32BigEndian(request, magic);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), type);
        BinaryPrimitives.WriteUInt64BigEndian(request.AsSpan(8), ++_handle);
        BinaryPrimitives.WriteUInt64BigEndian(request.AsSpan(16), (ulong)offset);
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(24), (uint)length);
        return WriteAsync(payload.IsEmpty ? request : [.. request, .. payload.Span]);
    }

    /// <summary>NBD_CMD_READ with a simple reply; returns the NBD error and the data.</summary>
    public async Task<(uint Error, byte[] Data)> ReadAsync(long offset, int length)
    {
        await SendRequestAsync(0, offset, length);
        var reply = await ReadExactlyAsync(16);
        if (BinaryPrimitives.ReadUInt32BigEndian(reply) != SimpleReplyMagic) throw new InvalidDataException("bad reply magic");
        var error = BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(4));
        return (error, error == 0 ? await ReadExactlyAsync(length) : []);
    }

    /// <summary>NBD_CMD_WRITE followed by NBD_CMD_FLUSH; returns the first non-zero error.</summary>
    public async Task<uint> WriteAndFlushAsync(long offset, byte[] data)
    {
        await SendRequestAsync(1, offset, data.Length, payload: data);
        var write = await ReadSimpleErrorAsync();
        await SendRequestAsync(3, 0, 0);
        var flush = await ReadSimpleErrorAsync();
        return write != 0 ? write : flush;
    }

    /// <summary>True when the server closed the connection (read returns 0) before the deadline.</summary>
    public async Task<bool> ServerClosesAsync(TimeSpan within)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(within);
        try
        {
            while (await _stream.ReadAsync(buffer, cts.Token) > 0)
            {
                // Whatever the server says before closing is ignored; only the close matters.
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true; // reset by peer: closed too
        }
    }

    public Task WriteAsync(byte[] data) => _stream.WriteAsync(data).AsTask().WaitAsync(IoTimeout);

    private async Task<uint> ReadSimpleErrorAsync()
    {
        var reply = await ReadExactlyAsync(16);
        if (BinaryPrimitives.ReadUInt32BigEndian(reply) != SimpleReplyMagic) throw new InvalidDataException("bad reply magic");
        return BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(4));
    }

    private async Task<byte[]> ReadExactlyAsync(int length)
    {
        var buffer = new byte[length];
        await _stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(IoTimeout);
        return buffer;
    }

    private static byte[] U32(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return b;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
