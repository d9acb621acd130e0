using System.Net;
using System.Net.Sockets;
using ActorStore.Blocks;
using ActorStore.Volume.Replicas;
using ActorStore.Volume.Replicas.Data;
using Xunit;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>The client against a fake endpoint that accepts the handshake and then misbehaves.</summary>
public sealed class BrokenPeerTests
{
    /// <summary>Accepts one connection, challenges it, answers its Hello Ok whatever it proves, then runs <paramref name="after"/> on it.</summary>
    private static async Task<(Task Peer, IPEndPoint Endpoint)> FakeServerAsync(Func<Socket, Task> after)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        var peer = Task.Run(async () =>
        {
            using var _ = listener;
            using var socket = await listener.AcceptAsync();
            await socket.SendAsync(FrameCodec.EncodeChallenge(new byte[FrameCodec.NonceSize]), SocketFlags.None);
            var hello = new byte[FrameHeader.Size];
            var got = 0;
            while (got < hello.Length) got += await socket.ReceiveAsync(hello.AsMemory(got), SocketFlags.None);
            var header = FrameHeader.ReadFrom(hello);
            var payload = new byte[header.PayloadLength];
            got = 0;
            while (got < payload.Length) got += await socket.ReceiveAsync(payload.AsMemory(got), SocketFlags.None);
            await socket.SendAsync(RawPeer.Header(FrameCodec.Reply(header, ReplicaStatus.Ok, 0)), SocketFlags.None);
            await after(socket);
        });
        return (peer, endpoint);
    }

    [Fact]
    public async Task A_request_that_is_never_answered_times_out_and_breaks_the_channel()
    {
        var release = new TaskCompletionSource();
        var (peer, endpoint) = await FakeServerAsync(_ => release.Task); // reads nothing, answers nothing
        var options = ReplicaChannelOptions.Default with { RequestTimeout = TimeSpan.FromMilliseconds(200) };
        var (status, channel) = await SocketReplicaChannel.ConnectAsync(endpoint, DataSecret.Create(), Guid.NewGuid(), "r1", 1, options);
        Assert.Equal(ReplicaStatus.Ok, status);
        await using (channel)
        {
            var first = channel!.WriteAsync(0, new byte[4096]).AsTask();
            var second = channel.FlushAsync().AsTask();
            Assert.Equal(ReplicaStatus.TimedOut, await Wait.ForAsync(first, "the timed-out write"));
            Assert.Equal(ReplicaStatus.TimedOut, await Wait.ForAsync(second, "the flush behind it"));
            Assert.False(channel.IsConnected);
            Assert.Equal(ReplicaStatus.IoError, await channel.ReadAsync(0, new byte[4096]));
        }
        release.SetResult();
        await Wait.ForAsync(peer, "the fake server");
    }

    [Theory]
    [InlineData("close")]
    [InlineData("wrong sequence")]
    [InlineData("short read reply")]
    [InlineData("empty read reply")]
    public async Task A_peer_that_closes_or_answers_nonsense_fails_the_pending_requests(string what)
    {
        var (peer, endpoint) = await FakeServerAsync(async socket =>
        {
            var header = new byte[FrameHeader.Size];
            var got = 0;
            while (got < header.Length) got += await socket.ReceiveAsync(header.AsMemory(got), SocketFlags.None);
            var request = FrameHeader.ReadFrom(header);
            if (what == "wrong sequence")
                await socket.SendAsync(RawPeer.Header(FrameCodec.Reply(request with { Sequence = request.Sequence + 1000 }, ReplicaStatus.Ok, 0)), SocketFlags.None);
            else if (what == "empty read reply")
                await socket.SendAsync(RawPeer.Header(FrameCodec.Reply(request, ReplicaStatus.Ok, 0)), SocketFlags.None);
            else if (what == "short read reply")
                await socket.SendAsync((byte[])[.. RawPeer.Header(FrameCodec.Reply(request, ReplicaStatus.Ok, 100)), .. new byte[100]], SocketFlags.None);
        });
        var (status, channel) = await SocketReplicaChannel.ConnectAsync(endpoint, DataSecret.Create(), Guid.NewGuid(), "r1", 1);
        Assert.Equal(ReplicaStatus.Ok, status);
        await using (channel)
        {
            var read = channel!.ReadAsync(0, new byte[4096]).AsTask();
            Assert.Equal(ReplicaStatus.IoError, await Wait.ForAsync(read, "the read"));
            Assert.Equal(ReplicaStatus.IoError, await channel.FlushAsync());
        }
        await Wait.ForAsync(peer, "the fake server");
    }

    [Fact]
    public async Task Nothing_listening_is_an_io_error_not_an_exception()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        listener.Dispose(); // bound, then released: nobody listens there
        var (status, channel) = await SocketReplicaChannel.ConnectAsync(endpoint, DataSecret.Create(), Guid.NewGuid(), "r1", 1);
        Assert.Equal(ReplicaStatus.IoError, status);
        Assert.Null(channel);
    }
}
