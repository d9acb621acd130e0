using ActorStore.Volume.Frontend.Nbd;
using Xunit;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>StopAsync drains: requests in flight complete, requests arriving later get ESHUTDOWN, then connections close.</summary>
public sealed class DrainTests
{
    [Fact]
    public async Task Stop_completes_requests_in_flight_and_refuses_later_ones_with_ESHUTDOWN()
    {
        await using var server = await TestServer.StartAsync();
        using var client = RawClient.Open(server.Endpoint);
        server.Volume.Hold();
        for (ulong cookie = 1; cookie <= 4; cookie++)
        {
            client.SendRequest(NbdConstants.CmdWrite, 0, cookie, cookie * 4096, 4096, new byte[4096]);
        }

        await BadInputTests.WaitUntil(() => server.Volume.Calls == 4);
        var stopping = server.Server.StopAsync();
        await Task.Delay(50); // let the drain begin; the held writes cannot finish meanwhile
        Assert.False(stopping.IsCompleted);

        client.SendRequest(NbdConstants.CmdRead, 0, 99, 0, 512);
        Assert.Equal((NbdConstants.EShutdown, 99ul), client.ReadSimpleReply());

        server.Volume.Release();
        var cookies = new HashSet<ulong>();
        for (int i = 0; i < 4; i++)
        {
            var (error, cookie) = client.ReadSimpleReply();
            Assert.Equal(0u, error);
            cookies.Add(cookie);
        }

        Assert.Equal([1ul, 2ul, 3ul, 4ul], cookies.Order());
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(client.WaitForClose());
    }

    [Fact]
    public async Task Stop_refuses_new_options_with_ERR_SHUTDOWN_during_the_handshake()
    {
        await using var server = await TestServer.StartAsync();
        // A held write on another connection keeps the drain going while the handshake goes on.
        using var busy = RawClient.Open(server.Endpoint);
        server.Volume.Hold();
        busy.SendRequest(NbdConstants.CmdWrite, 0, 1, 0, 512, new byte[512]);
        using var client = RawClient.Connect(server.Endpoint);
        await BadInputTests.WaitUntil(() => server.Volume.Calls == 1 && server.Server.ConnectionCount == 2);
        var stopping = server.Server.StopAsync();
        await Task.Delay(50); // let the drain begin; the held write cannot finish meanwhile
        client.SendOption(NbdConstants.OptList, []);
        Assert.Equal(NbdConstants.RepErrShutdown, client.ReadOptionReply().Type);
        server.Volume.Release();
        Assert.Equal((0u, 1ul), busy.ReadSimpleReply());
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
