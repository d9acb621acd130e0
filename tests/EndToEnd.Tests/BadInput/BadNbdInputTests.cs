using System.Net.Sockets;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.BadInput;

/// <summary>
/// Hostile and broken NBD clients against the node. Each test holds a healthy connection open across the
/// abuse and checks afterwards that it still reads what it wrote and that nbdinfo still works: one bad
/// client closes its own connection (DESIGN §3), never anyone else's, and never the server.
/// </summary>
[Collection(SharedNodeCollection.Name)]
public sealed class BadNbdInputTests(SharedNodeFixture fixture, ITestOutputHelper output) : NodeTest(output)
{
    private static readonly TimeSpan CloseWithin = TimeSpan.FromSeconds(10);
    private readonly NodeProcess _node = fixture.Node;

    private string Host => _node.Ready.NbdHost;

    private int Port => _node.Ready.NbdPort;

    public override Task InitializeAsync()
    {
        Watch(_node);
        return Task.CompletedTask;
    }

    [Fact]
    public Task Garbage_bytes_instead_of_a_handshake_close_only_that_connection() => WithBystanderAsync(async _ =>
    {
        await using var client = await RawNbdClient.ConnectAsync(Host, Port);
        await client.WriteAsync(TestData.Bytes(1, 4096));
        Assert.True(await client.ServerClosesAsync(CloseWithin), "the server kept a connection that sent garbage");
    });

    [Fact]
    public Task A_truncated_handshake_is_dropped() => WithBystanderAsync(async _ =>
    {
        await using var client = await RawNbdClient.ConnectAsync(Host, Port);
        await client.WriteAsync([0, 0, 0, 3, 0x49, 0x48, 0x41]); // client flags, then 3 bytes of "IHAVEOPT"
        // The client goes away mid-option: the server must not wait forever or fail the listener.
    });

    [Fact]
    public Task A_bad_request_magic_closes_that_connection_at_once() => WithBystanderAsync(async volume =>
    {
        var (client, _) = await RawNbdClient.OpenAsync(Host, Port, volume);
        await using (client)
        {
            await client.SendRequestAsync(type: 0, offset: 0, length: 4096, magic: 0xdeadbeef);
            Assert.True(await client.ServerClosesAsync(CloseWithin), "a request with a bad magic must close the connection");
        }
    });

    [Fact]
    public Task Reads_and_writes_past_the_end_fail_with_EINVAL_and_ENOSPC() => WithBystanderAsync(async volume =>
    {
        var result = (await NbdSh.RunAsync(_node.NbdUri(volume), """
            import errno
            h.set_strict_mode(0)  # send the bad requests to the server instead of refusing them in libnbd
            size = h.get_size()
            def attempt(name, f):
                try:
                    f()
                    print(name, "ok")
                except nbd.Error as e:
                    print(name, errno.errorcode.get(e.errno, e.errno))
            attempt("read", lambda: h.pread(4096, size - 512))
            attempt("write", lambda: h.pwrite(b"x" * 4096, size - 512))
            attempt("read-after", lambda: h.pread(512, 0))
            """)).EnsureSuccess();
        Assert.Contains("read EINVAL", result.StdOut);
        Assert.Contains("write ENOSPC", result.StdOut);
        Assert.Contains("read-after ok", result.StdOut); // the connection survives a refused request
    });

    [Fact]
    public Task An_unknown_export_is_refused_and_the_server_keeps_serving() => WithBystanderAsync(async _ =>
    {
        var result = await Tool.RunAsync("nbdinfo", _node.NbdUri("no-such-volume-e2e"));
        Assert.True(result.ExitCode != 0, $"nbdinfo succeeded on an unknown export:\n{result}");
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => RawNbdClient.OpenAsync(Host, Port, "no-such-volume-e2e"));
        Out.WriteLine(refused.Message);
    });

    [Fact]
    public Task A_hundred_rapid_connects_and_disconnects_leave_the_server_serving() => WithBystanderAsync(async _ =>
    {
        for (var i = 0; i < 100; i++)
        {
            if (i % 2 == 0)
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(Host, Port).WaitAsync(CloseWithin); // closed before even reading the greeting
            }
            else
            {
                await using var client = await RawNbdClient.ConnectAsync(Host, Port);
            }
        }
    });

    [Fact]
    public Task A_client_that_disconnects_mid_write_does_not_disturb_the_volume() => WithBystanderAsync(async volume =>
    {
        var (client, _) = await RawNbdClient.OpenAsync(Host, Port, volume);
        await using (client)
        {
            // Announce 1 MiB at 8 MiB but send only 1000 bytes of it, then vanish.
            await client.SendRequestAsync(type: 1, offset: 8 * TestData.MiB, length: 1 << 20, payload: new byte[1000]);
        }
    });

    /// <summary>
    /// Runs <paramref name="abuse"/> while a healthy client holds a connection to a fresh volume, then checks
    /// that client, a new nbdinfo, and the gateway.
    /// </summary>
    private async Task WithBystanderAsync(Func<string, Task> abuse)
    {
        var volume = TestData.VolumeName("bad-nbd");
        await _node.Api.CreateAttachedAsync(volume, 16 * TestData.MiB, 2);
        var data = TestData.Bytes(7, 65536);
        var (bystander, size) = await RawNbdClient.OpenAsync(Host, Port, volume);
        await using (bystander)
        {
            Assert.Equal(16 * TestData.MiB, size);
            Assert.Equal(0u, await bystander.WriteAndFlushAsync(0, data));

            await abuse(volume);

            var (error, back) = await bystander.ReadAsync(0, data.Length);
            Assert.Equal(0u, error);
            Assert.True(back.AsSpan().SequenceEqual(data), "the bystander's data changed");
        }
        (await Tool.RunAsync("nbdinfo", _node.NbdUri(volume))).EnsureSuccess();
        await _node.Api.GetVolumeAsync(volume);
    }
}
