using System.Net.Sockets;
using ActorStore.Volume.Frontend.Nbd;
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
        var (exit, _, stderr) = await Tool.RunAsync("nbdinfo", ["--size", server.Uri]);
        Assert.True(exit == 0, stderr);
    }
}
