using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using ActorStore.Volume.Frontend.Nbd;
using Xunit;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>Garbage, truncation and dead clients end only their own connection; the server goes on serving.</summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task Garbage_instead_of_a_handshake_closes_that_connection_only()
    {
        await using var server = await TestServer.StartAsync();
        using var good = RawClient.Open(server.Endpoint);
        using var bad = RawClient.ConnectBare(server.Endpoint);
        bad.Receive(18);
        bad.Send(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        Assert.True(bad.WaitForClose());
        AssertServes(good);
        Assert.Contains(server.Log, line => line.Contains("handshake ended"));
    }

    [Fact]
    public async Task Bad_option_magic_and_truncated_handshake_close_cleanly()
    {
        await using var server = await TestServer.StartAsync();
        using (var badMagic = RawClient.Connect(server.Endpoint))
        {
            badMagic.Send(new byte[16]);
            Assert.True(badMagic.WaitForClose());
        }

        using (var truncated = RawClient.Connect(server.Endpoint))
        {
            truncated.Send(BitConverter.GetBytes(NbdConstants.IHaveOpt).Reverse().ToArray().AsSpan(0, 5));
            truncated.Socket.Shutdown(SocketShutdown.Send);
            Assert.True(truncated.WaitForClose());
        }

        using var good = RawClient.Open(server.Endpoint);
        AssertServes(good);
    }

    [Fact]
    public async Task Unknown_client_flags_close_the_connection()
    {
        await using var server = await TestServer.StartAsync();
        using var client = RawClient.ConnectBare(server.Endpoint);
        client.Receive(18);
        client.SendUInt32(0x80);
        Assert.True(client.WaitForClose());
    }

    [Fact]
    public async Task Bad_request_magic_closes_that_connection_while_another_keeps_working()
    {
        await using var server = await TestServer.StartAsync();
        using var good = RawClient.Open(server.Endpoint);
        using var bad = RawClient.Open(server.Endpoint);
        var request = new byte[28];
        RawClient.EncodeRequest(request, NbdConstants.CmdRead, 0, 1, 0, 512);
        request[0] ^= 0xff;
        bad.Send(request);
        Assert.True(bad.WaitForClose());
        AssertServes(good);
        Assert.Contains(server.Log, line => line.Contains("framing lost"));
    }

    [Fact]
    public async Task Unknown_export_gets_ERR_UNKNOWN_on_GO_and_a_close_on_EXPORT_NAME()
    {
        await using var server = await TestServer.StartAsync();
        using (var client = RawClient.Connect(server.Endpoint))
        {
            client.SendOption(NbdConstants.OptGo, RawClient.InfoData("nope"));
            Assert.Equal(NbdConstants.RepErrUnknown, client.ReadOptionReply().Type);
            client.SendOption(NbdConstants.OptGo, RawClient.InfoData("disk"));
            Assert.Equal(NbdConstants.RepInfo, client.ReadOptionReply().Type);
        }

        using (var client = RawClient.Connect(server.Endpoint))
        {
            client.SendOption(NbdConstants.OptExportName, Encoding.UTF8.GetBytes("nope"));
            Assert.True(client.WaitForClose());
        }
    }

    [Fact]
    public async Task Unknown_option_gets_ERR_UNSUP_and_meta_context_needs_structured_replies()
    {
        await using var server = await TestServer.StartAsync();
        using var client = RawClient.Connect(server.Endpoint);
        client.SendOption(4242, [1, 2, 3]);
        Assert.Equal((4242u, NbdConstants.RepErrUnsup), Head(client.ReadOptionReply()));
        client.SendOption(NbdConstants.OptStartTls, []);
        Assert.Equal((NbdConstants.OptStartTls, NbdConstants.RepErrUnsup), Head(client.ReadOptionReply()));
        client.SendOption(NbdConstants.OptSetMetaContext, RawClient.MetaContextData("disk", NbdConstants.BaseAllocation));
        Assert.Equal((NbdConstants.OptSetMetaContext, NbdConstants.RepErrInvalid), Head(client.ReadOptionReply()));
        client.SendOption(NbdConstants.OptList, [0]);
        Assert.Equal((NbdConstants.OptList, NbdConstants.RepErrInvalid), Head(client.ReadOptionReply()));
        client.SendOption(NbdConstants.OptAbort, []);
        Assert.Equal((NbdConstants.OptAbort, NbdConstants.RepAck), Head(client.ReadOptionReply()));
        Assert.True(client.WaitForClose());
    }

    [Fact]
    public async Task Hundred_rapid_connects_and_disconnects_leave_the_server_serving()
    {
        await using var server = await TestServer.StartAsync();
        for (int i = 0; i < 100; i++)
        {
            using var client = RawClient.ConnectBare(server.Endpoint);
            if (i % 2 == 0)
            {
                client.Socket.LingerState = new LingerOption(true, 0); // close with RST
            }
        }

        using var good = RawClient.Open(server.Endpoint);
        AssertServes(good);
        await WaitUntil(() => server.Server.ConnectionCount == 1);
    }

    [Fact]
    public async Task Client_dying_mid_write_payload_ends_only_its_session()
    {
        await using var server = await TestServer.StartAsync();
        using var good = RawClient.Open(server.Endpoint);
        using (var dying = RawClient.Open(server.Endpoint))
        {
            dying.SendRequest(NbdConstants.CmdWrite, 0, 1, 0, 65536, new byte[1000]);
            dying.Socket.LingerState = new LingerOption(true, 0);
        }

        await WaitUntil(() => server.Server.ConnectionCount == 1);
        Assert.Equal(0, server.Volume.Calls); // the partial write never reached the volume
        AssertServes(good);
    }

    [Fact]
    public async Task A_bad_or_truncated_header_after_a_large_write_ends_only_its_session()
    {
        // The header after a large write is received straight from the socket: a bad magic there, or a
        // connection that ends inside it, must close that session as the pipe path does, and nothing else.
        await using var server = await TestServer.StartAsync();
        using var good = RawClient.Open(server.Endpoint);
        var payload = new byte[1 << 20]; // most of it received directly, whatever the pipe's first read takes
        using (var garbled = RawClient.Open(server.Endpoint))
        {
            garbled.SendRequest(NbdConstants.CmdWrite, 0, 1, 0, (uint)payload.Length, payload);
            garbled.Send(new byte[NbdConstants.RequestHeaderSize]); // all zeros: bad magic
            Assert.True(garbled.WaitForClose(), string.Join("\n", server.Log));
        }

        using (var cut = RawClient.Open(server.Endpoint))
        {
            cut.SendRequest(NbdConstants.CmdWrite, 0, 2, 0, (uint)payload.Length, payload);
            Assert.Equal((0u, 2ul), cut.ReadSimpleReply());
            var header = new byte[NbdConstants.RequestHeaderSize];
            RawClient.EncodeRequest(header, NbdConstants.CmdRead, 0, 3, 0, 4096);
            cut.Send(header.AsSpan(0, 10));
        }

        await WaitUntil(() => server.Server.ConnectionCount == 1);
        Assert.Contains(server.Log, line => line.Contains("bad request magic"));
        Assert.Contains(server.Log, line => line.Contains("truncated request"));
        AssertServes(good);
    }

    private static (uint, uint) Head((uint Option, uint Type, byte[] Data) reply) => (reply.Option, reply.Type);

    internal static void AssertServes(RawClient client)
    {
        client.SendRequest(NbdConstants.CmdWrite, 0, 77, 512, 4, [9, 8, 7, 6]);
        Assert.Equal((0u, 77ul), client.ReadSimpleReply());
        client.SendRequest(NbdConstants.CmdRead, 0, 78, 512, 4);
        Assert.Equal((0u, 78ul), client.ReadSimpleReply());
        Assert.Equal(new byte[] { 9, 8, 7, 6 }, client.Receive(4));
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
