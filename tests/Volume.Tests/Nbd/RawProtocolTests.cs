using System.Buffers.Binary;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Frontend.Nbd;
using ActorStore.Volume.Io;
using Xunit;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>Requests on a raw socket: replies, error values and structured chunks exactly as doc/proto.md says.</summary>
public sealed class RawProtocolTests
{
    [Fact]
    public async Task Write_then_read_round_trips_with_simple_replies()
    {
        await using var server = await TestServer.StartAsync();
        using var client = RawClient.Open(server.Endpoint);
        var data = new byte[10_000];
        new Random(1).NextBytes(data);
        client.SendRequest(NbdConstants.CmdWrite, NbdConstants.CmdFlagFua, 7, 1234, (uint)data.Length, data);
        Assert.Equal((0u, 7ul), client.ReadSimpleReply());
        client.SendRequest(NbdConstants.CmdRead, 0, 8, 1234, (uint)data.Length);
        Assert.Equal((0u, 8ul), client.ReadSimpleReply());
        Assert.Equal(data, client.Receive(data.Length));
        client.SendRequest(NbdConstants.CmdFlush, 0, 9, 0, 0);
        Assert.Equal((0u, 9ul), client.ReadSimpleReply());
        Assert.True(server.Volume.Flushes >= 1);
    }

    [Fact]
    public async Task A_large_write_whose_payload_trickles_in_is_received_whole()
    {
        // A large payload is received with a raised receive low-water mark: a client that sends it in small,
        // slow pieces (and waits for the reply before anything else) must still get its reply, and the next
        // small request must not wait for bytes that never come.
        await using var server = await TestServer.StartAsync();
        using var client = RawClient.Open(server.Endpoint);
        var data = new byte[1 << 20];
        new Random(2).NextBytes(data);
        Span<byte> header = stackalloc byte[NbdConstants.RequestHeaderSize];
        RawClient.EncodeRequest(header, NbdConstants.CmdWrite, 0, 1, 4096, (uint)data.Length);
        client.Send(header);
        for (int at = 0; at < data.Length; at += 96 * 1024)
        {
            client.Send(data.AsSpan(at, Math.Min(96 * 1024, data.Length - at)));
            await Task.Delay(5);
        }

        Assert.Equal((0u, 1ul), client.ReadSimpleReply());
        client.SendRequest(NbdConstants.CmdWrite, 0, 2, 0, 1, [7]);
        Assert.Equal((0u, 2ul), client.ReadSimpleReply());
        client.SendRequest(NbdConstants.CmdRead, 0, 3, 4096, (uint)data.Length);
        Assert.Equal((0u, 3ul), client.ReadSimpleReply());
        Assert.Equal(data, client.Receive(data.Length));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    public async Task Requests_after_large_writes_are_parsed_however_their_headers_arrive(int latencyMs)
    {
        // After a payload received straight from the socket, the next header is received the same way (and
        // the write runs on the connection's thread, answered at once or, with latency, later): back-to-back
        // large writes sent at once, a header that arrives in pieces, and a DISC right after a large write.
        await using var server = await TestServer.StartAsync();
        server.Volume.Latency = TimeSpan.FromMilliseconds(latencyMs);
        using var client = RawClient.Open(server.Endpoint);
        var first = new byte[1 << 20];
        var second = new byte[256 * 1024];
        new Random(3).NextBytes(first);
        new Random(4).NextBytes(second);
        var burst = new byte[2 * NbdConstants.RequestHeaderSize + first.Length + second.Length];
        int at = RawClient.EncodeRequest(burst, NbdConstants.CmdWrite, 0, 1, 0, (uint)first.Length);
        first.CopyTo(burst, at);
        at += first.Length;
        at += RawClient.EncodeRequest(burst.AsSpan(at), NbdConstants.CmdWrite, 0, 2, (ulong)first.Length, (uint)second.Length);
        second.CopyTo(burst, at);
        client.Send(burst);
        var answered = new HashSet<ulong> { client.ReadSimpleReply().Cookie, client.ReadSimpleReply().Cookie };
        Assert.Equal(new HashSet<ulong> { 1, 2 }, answered);

        var read = new byte[NbdConstants.RequestHeaderSize];
        RawClient.EncodeRequest(read, NbdConstants.CmdRead, 0, 3, 0, (uint)(first.Length + second.Length));
        foreach (var (start, length) in new[] { (0, 3), (3, 17), (20, 8) })
        {
            client.Send(read.AsSpan(start, length));
            await Task.Delay(20);
        }

        Assert.Equal((0u, 3ul), client.ReadSimpleReply());
        Assert.Equal([.. first, .. second], client.Receive(first.Length + second.Length));

        // 1 MiB, so that most of it is received directly whatever the pipe's first read takes, and the DISC after it too.
        var last = new byte[2 * NbdConstants.RequestHeaderSize + first.Length];
        at = RawClient.EncodeRequest(last, NbdConstants.CmdWrite, 0, 4, (ulong)first.Length, (uint)first.Length);
        first.CopyTo(last, at);
        RawClient.EncodeRequest(last.AsSpan(at + first.Length), NbdConstants.CmdDisc, 0, 5, 0, 0);
        client.Send(last);
        Assert.Equal((0u, 4ul), client.ReadSimpleReply());
        Assert.True(client.WaitForClose(), string.Join("\n", server.Log));
        var volume = server.Volume.Snapshot();
        Assert.Equal([.. first, .. first], volume.AsSpan(0, 2 * first.Length).ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_burst_of_reads_the_cache_holds_is_answered_whole_among_reads_that_are_not(bool structured)
    {
        // Reads up to 128 KiB that the volume holds in the page cache are answered by the connection's own
        // thread and sent together after the burst is parsed; larger ones, and any read while a fault is
        // queued, go to the pool. Every reply must still be whole, with its own data.
        await using var server = await TestServer.StartAsync();
        server.Volume.CachedReads = true;
        using var client = RawClient.Open(server.Endpoint, structured: structured);
        var data = new byte[1 << 20];
        new Random(3).NextBytes(data);
        client.SendRequest(NbdConstants.CmdWrite, 0, 1, 0, (uint)data.Length, data);
        Assert.Equal((0u, 1ul), client.ReadSimpleReply());

        var random = new Random(4);
        var reads = new Dictionary<ulong, (int Offset, int Length)>();
        var burst = new byte[80 * NbdConstants.RequestHeaderSize];
        for (int i = 0; i < 80; i++)
        {
            int length = i % 10 == 9 ? 256 * 1024 : random.Next(1, 128 * 1024 + 1);
            int offset = random.Next(0, data.Length - length);
            reads[(ulong)(100 + i)] = (offset, length);
            RawClient.EncodeRequest(burst.AsSpan(i * NbdConstants.RequestHeaderSize), NbdConstants.CmdRead, 0, (ulong)(100 + i), (ulong)offset, (uint)length);
        }

        client.Send(burst);
        for (int i = 0; i < reads.Count; i++)
        {
            ulong cookie;
            byte[] payload;
            if (structured)
            {
                var chunk = client.ReadChunk();
                Assert.Equal((NbdConstants.ReplyFlagDone, NbdConstants.ReplyTypeOffsetData), (chunk.Flags, chunk.Type));
                cookie = chunk.Cookie;
                Assert.Equal((ulong)reads[cookie].Offset, BinaryPrimitives.ReadUInt64BigEndian(chunk.Payload));
                payload = chunk.Payload[8..];
            }
            else
            {
                (uint error, cookie) = client.ReadSimpleReply();
                Assert.Equal(0u, error);
                payload = client.Receive(reads[cookie].Length);
            }

            var (offset, length) = reads[cookie];
            Assert.True(data.AsSpan(offset, length).SequenceEqual(payload), $"read {cookie} ({offset}+{length}) came back with other bytes");
        }

        Assert.Equal(72, server.Volume.CachedReadCalls); // all but the eight of 256 KiB

        server.Volume.InjectFault(IoStatus.IoError); // the cache does not answer now: the read fails in the engine
        client.SendRequest(NbdConstants.CmdRead, 0, 2, 0, 4096);
        if (structured)
        {
            Assert.Equal((NbdConstants.ReplyFlagDone, NbdConstants.ReplyTypeError, 2ul), client.ReadChunk() is var c ? (c.Flags, c.Type, c.Cookie) : default);
        }
        else
        {
            Assert.Equal((NbdConstants.EIo, 2ul), client.ReadSimpleReply());
        }

        Assert.Equal(72, server.Volume.CachedReadCalls);
    }

    [Fact]
    public async Task Structured_read_is_one_offset_data_chunk_with_done()
    {
        await using var server = await TestServer.StartAsync();
        using var client = RawClient.Open(server.Endpoint, structured: true);
        client.SendRequest(NbdConstants.CmdWrite, 0, 1, 4096, 3, [1, 2, 3]);
        Assert.Equal((0u, 1ul), client.ReadSimpleReply());
        client.SendRequest(NbdConstants.CmdRead, NbdConstants.CmdFlagDf, 2, 4095, 5);
        var chunk = client.ReadChunk();
        Assert.Equal((NbdConstants.ReplyFlagDone, NbdConstants.ReplyTypeOffsetData, 2ul), (chunk.Flags, chunk.Type, chunk.Cookie));
        Assert.Equal(4095ul, BinaryPrimitives.ReadUInt64BigEndian(chunk.Payload));
        Assert.Equal(new byte[] { 0, 1, 2, 3, 0 }, chunk.Payload[8..]);
    }

    [Theory]
    [InlineData(NbdConstants.CmdRead, 0u, NbdConstants.EInval)]          // read past the end
    [InlineData(NbdConstants.CmdBlockStatus, 0u, NbdConstants.EInval)]   // block status past the end
    [InlineData(NbdConstants.CmdTrim, 0u, NbdConstants.EInval)]          // trim past the end (the spec: EINVAL)
    [InlineData(NbdConstants.CmdWriteZeroes, 0u, NbdConstants.ENoSpc)]   // write zeroes past the end
    [InlineData(NbdConstants.CmdWrite, 0u, NbdConstants.ENoSpc)]         // write past the end
    [InlineData(NbdConstants.CmdCache, 0u, NbdConstants.EInval)]         // not advertised: unknown
    [InlineData((ushort)42, 0u, NbdConstants.EInval)]                     // unknown command
    [InlineData(NbdConstants.CmdRead, 0x100u, NbdConstants.EInval)]      // unknown flag
    public async Task Bad_requests_get_the_error_the_spec_names_and_the_connection_goes_on(ushort type, uint flags, uint expected)
    {
        await using var server = await TestServer.StartAsync();
        using var client = RawClient.Open(server.Endpoint, structured: false, meta: false);
        ulong offset = (ulong)server.Volume.Size - 512;
        byte[] payload = type == NbdConstants.CmdWrite ? new byte[1024] : [];
        client.SendRequest(type, (ushort)flags, 5, offset, 1024, payload);
        Assert.Equal((expected, 5ul), client.ReadSimpleReply());

        // Framing held (the refused write's payload was consumed): the next request works.
        client.SendRequest(NbdConstants.CmdRead, 0, 6, 0, 16);
        Assert.Equal((0u, 6ul), client.ReadSimpleReply());
        Assert.Equal(new byte[16], client.Receive(16));
    }

    [Fact]
    public async Task Engine_statuses_map_to_errno_and_errors_are_structured_once_negotiated()
    {
        await using var server = await TestServer.StartAsync();
        using var client = RawClient.Open(server.Endpoint, structured: true);
        (IoStatus Status, uint Errno)[] cases =
        [
            (IoStatus.IoError, NbdConstants.EIo), (IoStatus.NoSpace, NbdConstants.ENoSpc),
            (IoStatus.ShuttingDown, NbdConstants.EShutdown), (IoStatus.InvalidArgument, NbdConstants.EInval),
        ];
        foreach (var (status, errno) in cases)
        {
            server.Volume.InjectFault(status);
            client.SendRequest(NbdConstants.CmdRead, 0, 3, 0, 512);
            var chunk = client.ReadChunk();
            Assert.Equal((NbdConstants.ReplyFlagDone, NbdConstants.ReplyTypeError, 3ul), (chunk.Flags, chunk.Type, chunk.Cookie));
            Assert.Equal(errno, BinaryPrimitives.ReadUInt32BigEndian(chunk.Payload));
        }
    }

    [Fact]
    public async Task Fast_zero_that_is_not_cheap_gets_ENOTSUP_and_a_normal_one_zeroes()
    {
        await using var server = await TestServer.StartAsync();
        using var client = RawClient.Open(server.Endpoint);
        client.SendRequest(NbdConstants.CmdWrite, 0, 1, 0, 8192, Enumerable.Repeat((byte)0xee, 8192).ToArray());
        client.ReadSimpleReply();
        client.SendRequest(NbdConstants.CmdWriteZeroes, NbdConstants.CmdFlagFastZero | NbdConstants.CmdFlagNoHole, 2, 0, 8192);
        Assert.Equal((NbdConstants.ENotSup, 2ul), client.ReadSimpleReply());
        client.SendRequest(NbdConstants.CmdWriteZeroes, NbdConstants.CmdFlagFastZero, 3, 0, 4096);
        Assert.Equal((0u, 3ul), client.ReadSimpleReply());
        client.SendRequest(NbdConstants.CmdWriteZeroes, NbdConstants.CmdFlagNoHole, 4, 4096, 100);
        Assert.Equal((0u, 4ul), client.ReadSimpleReply());
        var snapshot = server.Volume.Snapshot();
        Assert.All(snapshot[..4196], b => Assert.Equal(0, b));
        Assert.Equal(0xee, snapshot[4196]);
    }

    [Fact]
    public async Task Block_status_reports_holes_as_hole_and_zero_and_honours_req_one()
    {
        await using var server = await TestServer.StartAsync();
        using var client = RawClient.Open(server.Endpoint, structured: true, meta: true);
        client.SendRequest(NbdConstants.CmdWrite, 0, 1, 8192, 4096, new byte[4096]);
        client.ReadSimpleReply();

        client.SendRequest(NbdConstants.CmdBlockStatus, 0, 2, 0, 5 * 4096);
        var chunk = client.ReadChunk();
        Assert.Equal((NbdConstants.ReplyFlagDone, NbdConstants.ReplyTypeBlockStatus, 2ul), (chunk.Flags, chunk.Type, chunk.Cookie));
        Assert.Equal(NbdConstants.BaseAllocationContextId, BinaryPrimitives.ReadUInt32BigEndian(chunk.Payload));
        Assert.Equal([(8192u, 3u), (4096u, 0u), (8192u, 3u)], Descriptors(chunk.Payload));

        client.SendRequest(NbdConstants.CmdBlockStatus, NbdConstants.CmdFlagReqOne, 3, 100, 5 * 4096);
        Assert.Equal([(8092u, 3u)], Descriptors(client.ReadChunk().Payload));
    }

    [Fact]
    public async Task Block_status_without_a_meta_context_is_EINVAL()
    {
        await using var server = await TestServer.StartAsync();
        using var client = RawClient.Open(server.Endpoint, structured: true, meta: false);
        client.SendRequest(NbdConstants.CmdBlockStatus, 0, 2, 0, 4096);
        var chunk = client.ReadChunk();
        Assert.Equal(NbdConstants.ReplyTypeError, chunk.Type);
        Assert.Equal(NbdConstants.EInval, BinaryPrimitives.ReadUInt32BigEndian(chunk.Payload));
    }

    [Fact]
    public async Task Disc_answers_requests_in_flight_then_closes()
    {
        await using var server = await TestServer.StartAsync();
        server.Volume.Latency = TimeSpan.FromMilliseconds(50);
        using var client = RawClient.Open(server.Endpoint);
        for (ulong cookie = 1; cookie <= 8; cookie++)
        {
            client.SendRequest(NbdConstants.CmdRead, 0, cookie, cookie * 4096, 512);
        }

        client.SendRequest(NbdConstants.CmdDisc, 0, 99, 0, 0);
        var seen = new HashSet<ulong>();
        for (int i = 0; i < 8; i++)
        {
            var (error, cookie) = client.ReadSimpleReply();
            Assert.Equal(0u, error);
            seen.Add(cookie);
            client.Receive(512);
        }

        Assert.Equal(8, seen.Count);
        Assert.True(client.WaitForClose(), string.Join("\n", server.Log));
    }

    private static List<(uint Length, uint Flags)> Descriptors(byte[] payload)
    {
        var list = new List<(uint, uint)>();
        for (int i = 4; i < payload.Length; i += 8)
        {
            list.Add((BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i)), BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i + 4))));
        }

        return list;
    }
}
