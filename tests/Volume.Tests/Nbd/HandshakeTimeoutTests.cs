using System.Net.Sockets;
using ActorStore.Tests.Shared;
using ActorStore.Volume.Frontend.Nbd;
using ActorStore.Volume.Tests.Replicas;
using Xunit;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>A client that connects and never negotiates loses its connection after the handshake timeout.</summary>
public sealed class HandshakeTimeoutTests
{
    [Fact]
    public async Task A_silent_client_is_disconnected_and_the_server_keeps_serving()
    {
        // Short, so the test is quick, yet long enough for nbdinfo's own handshake below on a busy machine.
        await using var server = await TestServer.StartAsync(options: new NbdServerOptions { Port = 0, HandshakeTimeout = TimeSpan.FromSeconds(1) });
        using var silent = new TcpClient();
        await silent.ConnectAsync(server.Endpoint);
        var stream = silent.GetStream();
        var buffer = new byte[256];
        // The server greets first (18 bytes); then the client says nothing and the server must hang up.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0) total += read;
        Assert.Equal(18, total);
        var info = await Tool.RunAsync("nbdinfo", ["--size", server.Uri]);
        Assert.True(info.Succeeded, info.ToString());
    }

    /// <summary>
    /// Found by trying it: 300 connections that never sent a byte kept real clients out until they timed
    /// out. Negotiating connections have a budget of their own; past it the oldest is closed.
    /// </summary>
    [Fact]
    public async Task Three_hundred_silent_connections_do_not_keep_a_real_client_out()
    {
        await using var server = await TestServer.StartAsync(options: new NbdServerOptions { Port = 0, HandshakeTimeout = TimeSpan.FromMinutes(5) });
        var silent = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 300; i++)
            {
                var client = new TcpClient();
                silent.Add(client);
                await client.ConnectAsync(server.Endpoint);
            }
            await Wait.UntilAsync(() => server.Server.ConnectionCount <= new NbdServerOptions().MaxHandshakes, "the oldest silent connections to be closed");
            Assert.Equal(new NbdServerOptions().MaxHandshakes, server.Server.HandshakeCount);

            var size = await Tool.RunOkAsync("nbdinfo", ["--size", server.Uri]);
            Assert.Equal((16L << 20).ToString(), size.Trim());
            using var served = RawClient.Open(server.Endpoint);
            await Wait.UntilAsync(() => server.Server.ConnectionCount - server.Server.HandshakeCount == 1, "the client past its handshake to be served");
        }
        finally
        {
            foreach (var client in silent) client.Dispose();
        }
    }
}
