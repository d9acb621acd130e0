using System.Net;
using System.Net.Sockets;
using ActorStore.Blocks;
using ActorStore.Volume.Replicas;
using ActorStore.Volume.Replicas.Data;
using Xunit;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>A hand-driven socket to a data endpoint, for sending what no channel would send.</summary>
internal sealed class RawPeer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    /// <summary>Connects and reads the server's challenge (its first frame), so what follows is the peer's to send.</summary>
    public static async Task<RawPeer> ConnectAsync(IPEndPoint endpoint)
    {
        var peer = new RawPeer();
        await peer._socket.ConnectAsync(endpoint);
        peer.Nonce = await peer.ChallengeAsync();
        return peer;
    }

    /// <summary>The server's challenge to this connection.</summary>
    public byte[] Nonce { get; private set; } = [];

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    public void EndSending() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Handshakes as the replica's engine of <paramref name="epoch"/> (which the replica has accepted), knowing <paramref name="secret"/>.</summary>
    public async Task HelloAsync(Guid volumeId, string replicaId, long epoch, DataSecret secret)
    {
        await SendAsync(FrameCodec.EncodeHello(volumeId, replicaId, epoch, Nonce, secret)!);
        var reply = await ReceiveAsync(FrameHeader.Size);
        Assert.Equal(ReplicaStatus.Ok, FrameHeader.ReadFrom(reply).Status);
    }

    private async Task<byte[]> ChallengeAsync()
    {
        var header = FrameHeader.ReadFrom(await ReceiveAsync(FrameHeader.Size));
        Assert.True(FrameCodec.IsValidReply(header) && header.Op == DataOp.Challenge, "the server's first frame is its challenge");
        return await ReceiveAsync(FrameCodec.NonceSize);
    }

    /// <summary>Receives exactly <paramref name="count"/> bytes.</summary>
    public async Task<byte[]> ReceiveAsync(int count)
    {
        var bytes = new byte[count];
        var got = 0;
        while (got < count)
        {
            var n = await _socket.ReceiveAsync(bytes.AsMemory(got), SocketFlags.None);
            if (n == 0) throw new EndOfStreamException("the server closed the connection");
            got += n;
        }
        return bytes;
    }

    public static byte[] Header(FrameHeader header)
    {
        var bytes = new byte[FrameHeader.Size];
        header.WriteTo(bytes);
        return bytes;
    }

    /// <summary>Reads (and drops) until the server closes the connection; returns the bytes seen.</summary>
    public async Task<int> UntilClosedAsync()
    {
        var buffer = new byte[4096];
        var total = 0;
        var reading = Task.Run(async () =>
        {
            try
            {
                int n;
                while ((n = await _socket.ReceiveAsync(buffer, SocketFlags.None)) > 0) total += n;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                // closed with unread data on its side: a reset is a close too
            }
        });
        await Wait.ForAsync(reading, "the server to close the connection");
        return total;
    }

    public void Dispose() => _socket.Dispose();
}
