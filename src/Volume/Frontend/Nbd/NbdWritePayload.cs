using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ActorStore.Volume.Net;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// The payload of the WRITE whose header the session's read loop has just parsed, on its way into the
/// request's buffer: copied out of the pipe as it arrives, or, once the pipe holds nothing unread, received
/// from the socket straight into the buffer (one copy fewer) with the receive low-water mark raised. The
/// payload of a refused WRITE is skipped the same way, so framing holds. After a payload received directly,
/// the next request header is received directly too (<see cref="ReceiveHeaderAsync"/>). Used by the read loop only.
/// </summary>
internal sealed class NbdWritePayload(Socket socket, Stream stream)
{
    // Below this the rest is left to the pipe: a direct receive would save little and cost a system call.
    private const int DirectThreshold = 64 * 1024;

    private readonly ReceiveLowWater _lowWater = new(socket);
    private NbdRequestWork? _work; // null while a refused payload is skipped
    private long _remaining;
    private int _filled;

    /// <summary>Part of a payload is still on the wire.</summary>
    public bool InProgress => _remaining > 0;

    /// <summary>Worth receiving straight from the socket (once the pipe holds nothing unread).</summary>
    public bool ReceivesDirectly => _work is not null && _remaining >= DirectThreshold;

    /// <summary>The next <paramref name="length"/> bytes are <paramref name="work"/>'s payload, or skipped when it is null.</summary>
    public void Start(NbdRequestWork? work, long length)
    {
        _work = work;
        _remaining = length;
        _filled = 0;
    }

    /// <summary>
    /// Copies (or skips) as much of the payload as the reader holds. True once it is complete, with
    /// <paramref name="whole"/> the request to dispatch (null for a skipped one).
    /// </summary>
    public bool Take(ref SequenceReader<byte> reader, out NbdRequestWork? whole)
    {
        whole = null;
        int n = (int)Math.Min(_remaining, reader.Remaining);
        if (n == 0)
        {
            return false;
        }

        if (_work is not null)
        {
            reader.UnreadSequence.Slice(0, n).CopyTo(_work.Payload.AsSpan(_filled, n));
        }

        reader.Advance(n);
        return Advanced(n, out whole);
    }

    /// <summary>Receives the rest from the socket (see <see cref="ReceivesDirectly"/>): the whole request, or null if the connection ended first.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no allocation per large write
    public async ValueTask<NbdRequestWork?> ReceiveRestAsync()
    {
        try
        {
            while (true)
            {
                _lowWater.Expect(_remaining);
                int n = await stream.ReadAsync(_work!.Payload.AsMemory(_filled, (int)_remaining)).ConfigureAwait(false);
                if (n == 0)
                {
                    return null;
                }

                if (Advanced(n, out var whole))
                {
                    return whole;
                }
            }
        }
        finally
        {
            _lowWater.Reset();
        }
    }

    /// <summary>
    /// Receives the next request header straight from the socket, into <paramref name="header"/>. Meant for
    /// just after a payload received directly, when the pipe holds nothing: a pipe read there would also
    /// take up to 256 KiB of a following large payload, only for it to be copied out again. Returns the
    /// bytes received: all of them, or fewer if the connection ended.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveHeaderAsync(byte[] header)
    {
        int got = 0;
        while (got < header.Length)
        {
            int n = await stream.ReadAsync(header.AsMemory(got)).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            got += n;
        }

        return got;
    }

    private bool Advanced(int n, out NbdRequestWork? whole)
    {
        _filled += n;
        _remaining -= n;
        whole = null;
        if (_remaining > 0)
        {
            return false;
        }

        whole = _work;
        _work = null;
        return true;
    }
}
