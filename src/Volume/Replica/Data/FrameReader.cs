using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ActorStore.Volume.Net;

namespace ActorStore.Volume.Replicas.Data;

/// <summary>
/// Buffered reads from a socket for one reading loop: small frames are parsed out of one receive
/// buffer (many per system call); a large payload is received straight into its destination (no
/// second copy), with the receive low-water mark raised meanwhile. Socket errors surface as exceptions,
/// which the loop that owns the socket handles.
/// </summary>
internal sealed class FrameReader(Socket socket, int bufferSize = 64 * 1024)
{
    private readonly byte[] _buffer = new byte[bufferSize];
    private readonly ReceiveLowWater _lowWater = new(socket);
    private int _start;
    private int _end;

    /// <summary>Fills <paramref name="destination"/>; false when the peer closed the stream first.</summary>
    public ValueTask<bool> ReadExactAsync(Memory<byte> destination, CancellationToken ct = default)
    {
        if (_end - _start >= destination.Length)
        {
            _buffer.AsSpan(_start, destination.Length).CopyTo(destination.Span);
            _start += destination.Length;
            return new ValueTask<bool>(true);
        }
        return ReadSlowAsync(destination, ct);
    }

    // Pooled, so a read that has to wait for the network allocates no state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadSlowAsync(Memory<byte> destination, CancellationToken ct)
    {
        var buffered = _end - _start;
        _buffer.AsMemory(_start, buffered).CopyTo(destination);
        destination = destination[buffered..];
        _start = _end = 0;
        while (!destination.IsEmpty)
        {
            if (destination.Length >= _buffer.Length / 2)
            {
                _lowWater.Expect(destination.Length);
                var got = await socket.ReceiveAsync(destination, SocketFlags.None, ct).ConfigureAwait(false);
                if (got == 0) return false;
                destination = destination[got..];
            }
            else
            {
                _lowWater.Reset(); // what is left may be less than the mark: wake for any byte
                var got = await socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None, ct).ConfigureAwait(false);
                if (got == 0) return false;
                var n = Math.Min(got, destination.Length);
                _buffer.AsMemory(0, n).CopyTo(destination);
                destination = destination[n..];
                _start = n;
                _end = got;
            }
        }
        _lowWater.Reset();
        return true;
    }
}
