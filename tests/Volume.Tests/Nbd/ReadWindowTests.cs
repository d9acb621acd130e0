using ActorStore.Volume.Frontend.Nbd;
using Xunit;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>Large READs take turns per connection: the window admits its size, the rest run in arrival order.</summary>
public sealed class ReadWindowTests
{
    private const uint Large = 256 * 1024; // above the size served on the connection's own thread

    [Fact]
    public void The_window_admits_its_size_and_hands_each_leaving_turn_to_the_oldest_waiting_read()
    {
        var window = new ReadWindow(2);
        var reads = Enumerable.Range(0, 7).Select(_ => new NbdRequestWork(null!)).ToArray();
        Assert.True(window.TryEnter(reads[0]));
        Assert.True(window.TryEnter(reads[1]));
        Assert.False(window.TryEnter(reads[2]));
        Assert.False(window.TryEnter(reads[3]));
        Assert.Same(reads[2], window.Leave());
        Assert.Same(reads[3], window.Leave());
        Assert.Null(window.Leave());
        Assert.Null(window.Leave());
        Assert.True(window.TryEnter(reads[4]));
        Assert.True(window.TryEnter(reads[5]));
        Assert.False(window.TryEnter(reads[6]));
    }

    [Fact]
    public async Task Large_reads_beyond_the_window_wait_for_their_turn_and_all_come_back_right()
    {
        await using var server = await TestServer.StartAsync(options: new NbdServerOptions { LargeReadsAtOnce = 1 });
        using var client = RawClient.Open(server.Endpoint);
        var data = Fill(client, 4);
        int before = server.Volume.Calls;
        server.Volume.Hold();
        for (ulong cookie = 1; cookie <= 4; cookie++)
        {
            client.SendRequest(NbdConstants.CmdRead, 0, cookie, (cookie - 1) * Large, Large);
        }

        await Until(() => server.Volume.Calls > before);
        await Task.Delay(200); // room for a second read to reach the volume, were the window not holding it
        Assert.Equal(before + 1, server.Volume.Calls);

        server.Volume.Release();
        for (ulong cookie = 1; cookie <= 4; cookie++)
        {
            // One at a time, so in arrival order.
            Assert.Equal((0u, cookie), client.ReadSimpleReply());
            Assert.Equal(data.AsSpan((int)((cookie - 1) * Large), (int)Large).ToArray(), client.Receive((int)Large));
        }
    }

    [Fact]
    public async Task A_client_that_leaves_with_reads_waiting_in_the_window_leaves_the_server_serving()
    {
        await using var server = await TestServer.StartAsync(options: new NbdServerOptions { LargeReadsAtOnce = 1 });
        byte[] data;
        using (var client = RawClient.Open(server.Endpoint))
        {
            data = Fill(client, 2);
            server.Volume.Hold();
            for (ulong cookie = 1; cookie <= 8; cookie++)
            {
                client.SendRequest(NbdConstants.CmdRead, 0, cookie, 0, Large);
            }
        }

        server.Volume.Release();
        using var next = RawClient.Open(server.Endpoint);
        for (ulong cookie = 1; cookie <= 3; cookie++)
        {
            next.SendRequest(NbdConstants.CmdRead, 0, cookie, Large, Large);
            Assert.Equal((0u, cookie), next.ReadSimpleReply());
            Assert.Equal(data.AsSpan((int)Large, (int)Large).ToArray(), next.Receive((int)Large));
        }
    }

    // Writes `reads` large reads' worth of random data from offset 0; returns it.
    private static byte[] Fill(RawClient client, int reads)
    {
        var data = new byte[reads * Large];
        new Random(reads).NextBytes(data);
        client.SendRequest(NbdConstants.CmdWrite, 0, 100, 0, (uint)data.Length, data);
        Assert.Equal((0u, 100ul), client.ReadSimpleReply());
        return data;
    }

    private static async Task Until(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
