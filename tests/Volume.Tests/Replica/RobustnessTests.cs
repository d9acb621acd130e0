using ActorStore.Blocks;
using ActorStore.Volume.Replicas;
using ActorStore.Volume.Replicas.Data;
using Xunit;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>A broken peer closes its own connection only; a broken server fails the client's requests, never hangs them.</summary>
public sealed class RobustnessTests : IAsyncLifetime
{
    private readonly ReplicaBed _bed = new();
    private SocketReplicaChannel _good = null!;

    // Short, so the silent peer below is dropped soon, yet room for the good handshake on that server; only
    // that test's server uses it, since on a busy 2-core machine a prompt handshake has taken over 300ms.
    private static readonly TimeSpan ShortHandshakeTimeout = TimeSpan.FromSeconds(1);

    public async Task InitializeAsync()
    {
        await _bed.StartServerAsync();
        _good = await _bed.ConnectOkAsync(1);
    }

    public async Task DisposeAsync()
    {
        await _good.DisposeAsync();
        await _bed.DisposeAsync();
    }

    /// <summary>The connection made in <see cref="InitializeAsync"/> still works, and so does a new one.</summary>
    private Task ServerStillServesAsync() => ServerStillServesAsync(_bed, _good);

    /// <summary><paramref name="good"/>, the one other connection to <paramref name="bed"/>'s server, still works, and so does a new one.</summary>
    private static async Task ServerStillServesAsync(ReplicaBed bed, SocketReplicaChannel good)
    {
        var block = new byte[4096];
        Random.Shared.NextBytes(block);
        Assert.Equal(ReplicaStatus.Ok, await good.WriteAsync(8192, block));
        var back = new byte[4096];
        Assert.Equal(ReplicaStatus.Ok, await good.ReadAsync(8192, back));
        Assert.Equal(block, back);
        var fresh = await bed.ConnectOkAsync(1);
        Assert.Equal(ReplicaStatus.Ok, await fresh.FlushAsync());
        await fresh.DisposeAsync();
        await Wait.UntilAsync(() => bed.Server.ConnectionCount == 1, "only the good connection to stay");
    }

    [Fact]
    public async Task Garbage_instead_of_a_handshake_closes_that_connection_only()
    {
        using var peer = await RawPeer.ConnectAsync(_bed.Endpoint);
        var garbage = new byte[200];
        new Random(7).NextBytes(garbage);
        await peer.SendAsync(garbage);
        Assert.Equal(0, await peer.UntilClosedAsync()); // nothing to answer: just closed
        await ServerStillServesAsync();
    }

    [Fact]
    public async Task A_truncated_handshake_closes_that_connection_only()
    {
        await using var strict = new ReplicaBed();
        await strict.StartServerAsync(DataServerOptions.Default with { HandshakeTimeout = ShortHandshakeTimeout });
        await using var good = await strict.ConnectOkAsync(1);
        using var ended = await RawPeer.ConnectAsync(strict.Endpoint);
        await ended.SendAsync(FrameCodec.EncodeHello(strict.VolumeId, ReplicaBed.ReplicaName, 1, ended.Nonce, strict.Secret)![..20]);
        ended.EndSending();
        using var silent = await RawPeer.ConnectAsync(strict.Endpoint); // and one that just stops talking
        var hello = FrameCodec.EncodeHello(strict.VolumeId, ReplicaBed.ReplicaName, 1, silent.Nonce, strict.Secret)!;
        await silent.SendAsync(hello[..(hello.Length - 1)]);
        Assert.Equal(0, await ended.UntilClosedAsync());
        Assert.Equal(0, await silent.UntilClosedAsync()); // the handshake timeout
        await ServerStillServesAsync(strict, good);
    }

    [Theory]
    [InlineData("bad magic")]
    [InlineData("oversized")]
    [InlineData("second hello")]
    [InlineData("truncated payload")]
    public async Task A_malformed_frame_after_the_handshake_closes_that_connection_only(string what)
    {
        using var peer = await RawPeer.ConnectAsync(_bed.Endpoint);
        await peer.HelloAsync(_bed.VolumeId, ReplicaBed.ReplicaName, 1, _bed.Secret);
        var write = FrameCodec.Request(DataOp.Write, DataFlags.None, 1, 0, 4096, 4096);
        var frame = what switch
        {
            "bad magic" => RawPeer.Header(write with { Magic = 0xdeadbeef }),
            "oversized" => RawPeer.Header(write with { Length = FrameCodec.MaxPayload + 4096L, PayloadLength = FrameCodec.MaxPayload + 4096u }),
            "second hello" => FrameCodec.EncodeHello(_bed.VolumeId, ReplicaBed.ReplicaName, 1, peer.Nonce, _bed.Secret)!,
            _ => [.. RawPeer.Header(write), .. new byte[100]],
        };
        await peer.SendAsync(frame);
        if (what == "truncated payload") peer.EndSending();
        Assert.Equal(0, await peer.UntilClosedAsync());
        await ServerStillServesAsync();
    }

    [Fact]
    public async Task Disposing_the_server_fails_pending_requests_with_io_error_and_nothing_hangs()
    {
        var data = new byte[256 * 1024];
        var requests = new List<Task<ReplicaStatus>>();
        for (var i = 0; i < 64; i++) requests.Add(_good.WriteAsync(i % 32 * (long)data.Length, data).AsTask());
        var disposing = _bed.Server.DisposeAsync().AsTask();
        for (var i = 0; i < 64; i++) requests.Add(_good.WriteAsync(i % 32 * (long)data.Length, data).AsTask());
        await Wait.ForAsync(disposing, "the server's disposal");
        var statuses = await Wait.ForAsync(Task.WhenAll(requests), "the pending requests");
        Assert.All(statuses, s => Assert.True(s is ReplicaStatus.Ok or ReplicaStatus.IoError, $"{s}"));
        await Wait.UntilAsync(() => !_good.IsConnected, "the channel to notice the close");
        Assert.Equal(ReplicaStatus.IoError, await _good.FlushAsync()); // and every later request
        Assert.Equal(0, _bed.Server.ConnectionCount);
    }

    [Fact]
    public async Task A_client_disposed_mid_flight_does_not_disturb_the_server()
    {
        var doomed = await _bed.ConnectOkAsync(1);
        var data = new byte[256 * 1024];
        var requests = Enumerable.Range(0, 64).Select(i => doomed.WriteAsync((1 << 20) + i % 32 * (long)data.Length, data).AsTask()).ToArray();
        await doomed.DisposeAsync();
        var statuses = await Wait.ForAsync(Task.WhenAll(requests), "the disposed client's requests");
        Assert.All(statuses, s => Assert.True(s is ReplicaStatus.Ok or ReplicaStatus.IoError, $"{s}"));
        Assert.Equal(ReplicaStatus.IoError, await doomed.ReadAsync(0, new byte[10]));
        await ServerStillServesAsync();
    }

    [Fact]
    public async Task With_one_request_in_flight_per_connection_the_server_still_serves_many_by_backpressure()
    {
        await using var bed = new ReplicaBed();
        await bed.StartServerAsync(DataServerOptions.Default with { MaxInFlightPerConnection = 1 });
        await using var channel = await bed.ConnectOkAsync(1);
        var blocks = Enumerable.Range(0, 100).Select(i => Enumerable.Repeat((byte)i, 4096).ToArray()).ToArray();
        var writes = blocks.Select((b, i) => channel.WriteAsync(i * 4096L, b).AsTask()).ToArray();
        Assert.All(await Wait.ForAsync(Task.WhenAll(writes), "the writes"), s => Assert.Equal(ReplicaStatus.Ok, s));
        var all = new byte[100 * 4096];
        Assert.Equal(ReplicaStatus.Ok, await channel.ReadAsync(0, all));
        for (var i = 0; i < 100; i++) Assert.Equal(blocks[i], all[(i * 4096)..((i + 1) * 4096)]);
    }
}
