using ActorStore.Volume.Engine;
using ActorStore.Volume.Frontend.Nbd;
using ActorStore.Volume.Io;
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

        await BadInputTests.WaitUntil(() => server.Volume.Calls > before);
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
    public async Task A_read_that_fails_hands_its_turn_on()
    {
        await using var server = await TestServer.StartAsync(options: new NbdServerOptions { LargeReadsAtOnce = 1 });
        using var client = RawClient.Open(server.Endpoint);
        var data = Fill(client, 1);
        server.Volume.InjectFault(IoStatus.IoError, 2);
        for (ulong cookie = 1; cookie <= 4; cookie++)
        {
            client.SendRequest(NbdConstants.CmdRead, 0, cookie, 0, Large);
        }

        for (ulong cookie = 1; cookie <= 4; cookie++)
        {
            var (error, answered) = client.ReadSimpleReply();
            Assert.Equal(cookie, answered);
            Assert.Equal(cookie <= 2 ? NbdConstants.EIo : 0u, error);
            if (error == 0)
            {
                Assert.Equal(data, client.Receive((int)Large));
            }
        }
    }

    [Fact]
    public async Task Reads_waiting_in_the_window_of_a_client_that_left_still_get_their_turns()
    {
        await using var server = await TestServer.StartAsync(options: new NbdServerOptions { LargeReadsAtOnce = 1 });
        using (var client = RawClient.Open(server.Endpoint))
        {
            Fill(client, 1);
            int before = server.Volume.Calls;
            server.Volume.Hold();
            for (ulong cookie = 1; cookie <= 8; cookie++)
            {
                client.SendRequest(NbdConstants.CmdRead, 0, cookie, 0, Large);
            }

            // The first read holds the turn inside the volume, the other seven wait in the window.
            await BadInputTests.WaitUntil(() => server.Volume.Calls == before + 1);
            client.Dispose();
            await BadInputTests.WaitUntil(() => server.Server.ConnectionCount == 0);
            server.Volume.Release();

            // Each finished read hands its turn to the next, though nobody will read the replies.
            await BadInputTests.WaitUntil(() => server.Volume.Calls == before + 8);
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
}
