using System.Net.Sockets;
using ActorStore.Blocks;
using ActorStore.Volume.Replicas.Data;
using Xunit;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>The 32 MiB frame limit seen from both ends, and several engines' connections on one endpoint.</summary>
public sealed class SocketLimitsTests : IAsyncLifetime
{
    private readonly ReplicaBed _bed = new();

    public async Task InitializeAsync() => await _bed.StartServerAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_request_bigger_than_a_frame_is_refused_by_the_client_and_the_channel_goes_on()
    {
        await using var channel = await _bed.ConnectOkAsync(1);
        var big = new byte[FrameCodec.MaxPayload + 4096];
        Assert.Equal(ReplicaStatus.InvalidArgument, await channel.WriteAsync(0, big));
        Assert.Equal(ReplicaStatus.InvalidArgument, await channel.ReadAsync(0, big));
        Assert.Equal(ReplicaStatus.Ok, await channel.WriteAsync(0, big.AsMemory(0, FrameCodec.MaxPayload))); // exactly the limit
        Assert.Equal(ReplicaStatus.Ok, await channel.ReadAsync(0, big.AsMemory(0, FrameCodec.MaxPayload)));
    }

    [Fact]
    public async Task A_read_whose_reply_would_not_fit_a_frame_is_answered_invalid_not_dropped()
    {
        using var peer = await RawPeer.ConnectAsync(_bed.Endpoint);
        await peer.HelloAsync(_bed.VolumeId, ReplicaBed.ReplicaName, 1, _bed.Secret);
        await peer.SendAsync(RawPeer.Header(FrameCodec.Request(DataOp.Read, DataFlags.None, 9, 0, FrameCodec.MaxPayload + 4096L, 0)));
        await peer.SendAsync(RawPeer.Header(FrameCodec.Request(DataOp.Flush, DataFlags.None, 10, 0, 0, 0)));
        var replies = new Dictionary<ulong, ReplicaStatus>();
        for (var i = 0; i < 2; i++)
        {
            var reply = FrameHeader.ReadFrom(await peer.ReceiveAsync(FrameHeader.Size));
            Assert.True(FrameCodec.IsValidReply(reply));
            replies[reply.Sequence] = reply.Status;
        }
        Assert.Equal(ReplicaStatus.InvalidArgument, replies[9]);
        Assert.Equal(ReplicaStatus.Ok, replies[10]); // the connection stayed open
    }

    [Fact]
    public async Task Several_connections_of_one_engine_share_the_endpoint()
    {
        var channels = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _bed.ConnectOkAsync(3)));
        await Wait.ForAsync(Task.WhenAll(channels.Select((c, n) => Task.Run(async () =>
        {
            var data = Enumerable.Repeat((byte)(n + 1), 64 * 1024).ToArray();
            var back = new byte[data.Length];
            for (var i = 0; i < 50; i++)
            {
                var offset = (i * 4L + n) * data.Length % ReplicaBed.DefaultSize;
                Assert.Equal(ReplicaStatus.Ok, await c.WriteAsync(offset, data));
                Assert.Equal(ReplicaStatus.Ok, await c.ReadAsync(offset, back));
                Assert.Equal(data, back);
            }
        }))), "the connections' I/O");
        Assert.Equal(4, _bed.Server.ConnectionCount);
        foreach (var c in channels) await c.DisposeAsync();
        await Wait.UntilAsync(() => _bed.Server.ConnectionCount == 0, "the connections to close");
    }
}
