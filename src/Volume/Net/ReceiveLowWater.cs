using System.Net.Sockets;

namespace ActorStore.Volume.Net;

/// <summary>
/// The receive low-water mark (SO_RCVLOWAT) of a socket that carries large payloads: raised while one
/// arrives, so the receiver is woken a few times per payload instead of once per segment the peer sends
/// (each wake-up is two thread switches through .NET's socket engine), and back to one byte for headers.
/// Never raised above what is left of the payload, which the peer must send: a wait can always end.
/// A non-blocking receive still returns whatever is there; only the wait for more is affected.
/// </summary>
internal sealed class ReceiveLowWater(Socket socket)
{
    /// <summary>How much of a payload must be queued before the receiver is woken.</summary>
    public const int PayloadBytes = 256 * 1024;

    private int _current = 1;

    /// <summary>Before a receive of the payload's rest: wake when min(<paramref name="remaining"/>, 256 KiB) bytes are queued.</summary>
    public void Expect(long remaining) => Set((int)Math.Min(remaining, PayloadBytes));

    /// <summary>After the payload: wake for any byte again.</summary>
    public void Reset() => Set(1);

    private void Set(int bytes)
    {
        if (bytes == _current) return;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReceiveLowWater, bytes);
        _current = bytes;
    }
}
