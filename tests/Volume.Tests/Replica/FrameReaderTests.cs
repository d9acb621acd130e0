using System.Net;
using System.Net.Sockets;
using ActorStore.Volume.Replicas.Data;
using Xunit;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>
/// The frame reader raises the socket's receive low-water mark while a large payload arrives: a peer that
/// sends it slowly, in pieces, and then waits for an answer must still see it received whole, and a small
/// read after it must not wait for bytes that never come.
/// </summary>
public sealed class FrameReaderTests
{
    [Fact]
    public async Task A_payload_that_trickles_in_is_received_whole_and_a_small_read_after_it_does_not_wait()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await sender.ConnectAsync(listener.LocalEndPoint!);
        using var receiver = await listener.AcceptAsync();
        var reader = new FrameReader(receiver);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var payload = new byte[1 << 20];
        new Random(3).NextBytes(payload);
        var sending = Task.Run(async () =>
        {
            for (int at = 0; at < payload.Length; at += 96 * 1024)
            {
                await sender.SendAsync(payload.AsMemory(at, Math.Min(96 * 1024, payload.Length - at)));
                await Task.Delay(5);
            }
        });
        var received = new byte[payload.Length];
        Assert.True(await reader.ReadExactAsync(received, timeout.Token));
        await sending;
        Assert.Equal(payload, received);

        // Only now does the peer send more, and only a few bytes.
        await sender.SendAsync(new byte[] { 1, 2, 3 });
        var small = new byte[3];
        Assert.True(await reader.ReadExactAsync(small, timeout.Token));
        Assert.Equal(new byte[] { 1, 2, 3 }, small);
    }
}
