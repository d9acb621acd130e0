using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ActorStore.Volume.Replicas.Data;

/// <summary>
/// The one writer of a socket: frames from many threads are queued and written whole, in queue order,
/// by a single loop. Headers and small payloads ready at the same time are gathered into one buffer
/// and sent with one system call; large payloads go out from their own memory.
/// </summary>
internal sealed class FrameWriter(Socket socket)
{
    private const int BatchSize = 64 * 1024;
    private const int InlinePayload = 16 * 1024;
    private readonly Channel<OutgoingFrame> _queue = Channel.CreateUnbounded<OutgoingFrame>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
    private readonly byte[] _batch = new byte[BatchSize];
    private readonly List<OutgoingFrame> _done = new(64);
    private int _used;

    /// <summary>Queues a frame; false once the writer is completed (the frame was not taken).</summary>
    public bool TryEnqueue(OutgoingFrame frame) => _queue.Writer.TryWrite(frame);

    /// <summary>No more frames: the loop ends once the queue is empty (or at once if the socket is gone).</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>Runs until completed or until a send fails; every queued frame gets its <see cref="OutgoingFrame.Sent"/>.</summary>
    public async Task RunAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    if (_used + FrameHeader.Size + frame.Prefix.Length > BatchSize || _done.Count == _done.Capacity) await FlushAsync().ConfigureAwait(false);
                    frame.Header.CopyTo(_batch, _used);
                    _used += FrameHeader.Size;
                    frame.Prefix.Span.CopyTo(_batch.AsSpan(_used));
                    _used += frame.Prefix.Length;
                    _done.Add(frame);
                    var payload = frame.Payload;
                    if (payload.IsEmpty) continue;
                    if (payload.Length <= InlinePayload && payload.Length <= BatchSize - _used)
                    {
                        payload.Span.CopyTo(_batch.AsSpan(_used));
                        _used += payload.Length;
                    }
                    else
                    {
                        await SendAsync(_batch.AsMemory(0, _used)).ConfigureAwait(false);
                        _used = 0;
                        await SendAsync(payload).ConfigureAwait(false);
                        ReleaseDone();
                    }
                }
                await FlushAsync().ConfigureAwait(false);
            }
        }
        catch (SocketException)
        {
            // The connection broke: its owner sees the socket fail and closes it; below, nothing more is sent.
        }
        catch (ObjectDisposedException)
        {
            // The owner closed the socket.
        }
        finally
        {
            _queue.Writer.TryComplete();
            ReleaseDone();
            while (reader.TryRead(out var frame)) frame.Sent();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushAsync()
    {
        if (_used > 0) await SendAsync(_batch.AsMemory(0, _used)).ConfigureAwait(false);
        _used = 0;
        ReleaseDone();
    }

    private void ReleaseDone()
    {
        foreach (var frame in _done) frame.Sent();
        _done.Clear();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }
}
