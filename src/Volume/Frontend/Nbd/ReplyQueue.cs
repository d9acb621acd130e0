using System.Buffers;
using System.Threading.Tasks.Sources;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// A connection's outgoing bytes in the order they must be sent. Replies are written whole by many threads
/// (each holding the session's write lock around its writes and its <see cref="Publish"/>); one send loop
/// takes everything queued so far as a <see cref="ReplyBatch"/> and sends it in gathered sendmsg calls.
/// Headers and small replies are written into the batch's reused arena; a READ's payload is queued by
/// reference to its request buffer, so the kernel's copy into the socket is the only one, and the request
/// goes back to its pool only once sent. Two batches swap between writers and the sender: no allocation
/// once both arenas have grown to the connection's largest batch.
/// </summary>
internal sealed class ReplyQueue : IBufferWriter<byte>, IValueTaskSource<ReplyBatch?>
{
    private ReplyBatch _filling = new();
    private ReplyBatch? _spare = new();
    private ManualResetValueTaskSourceCore<ReplyBatch?> _core = new() { RunContinuationsAsynchronously = true };
    private bool _waiting;
    private bool _completed;
    private long _unpublishedArenaBytes;

    /// <summary>No more replies will be queued; the sender sends what is queued and ends.</summary>
    public bool IsCompleted => _completed;

    public Span<byte> GetSpan(int sizeHint = 0) => _filling.GetSpan(sizeHint);

    public Memory<byte> GetMemory(int sizeHint = 0) => _filling.GetMemory(sizeHint);

    public void Advance(int count)
    {
        _filling.Advance(count);
        _unpublishedArenaBytes += count;
    }

    /// <summary>Queues <paramref name="payload"/> by reference; <paramref name="owner"/> is handed back by the sender once it is sent.</summary>
    public void AppendPayload(ArraySegment<byte> payload, NbdRequestWork owner) => _filling.AppendPayload(payload, owner);

    /// <summary>Makes what was written visible to the sender. Returns the arena bytes it added (the payloads are already counted by their requests).</summary>
    public long Publish()
    {
        long bytes = _unpublishedArenaBytes;
        _unpublishedArenaBytes = 0;
        if (_waiting && !_filling.IsEmpty)
        {
            _waiting = false;
            _core.SetResult(Swap());
        }

        return bytes;
    }

    /// <summary>Ends the queue: the sender gets what is queued, then null.</summary>
    public void Complete()
    {
        _completed = true;
        if (_waiting)
        {
            _waiting = false;
            _core.SetResult(_filling.IsEmpty ? null : Swap());
        }
    }

    /// <summary>
    /// The sender's next batch (call under the write lock): at once when something is queued, later when
    /// something is published, null when the queue is completed and empty. Give the batch back with <see cref="Recycle"/>.
    /// </summary>
    public ValueTask<ReplyBatch?> TakeAsync()
    {
        if (!_filling.IsEmpty)
        {
            return new ValueTask<ReplyBatch?>(Swap());
        }

        if (_completed)
        {
            return new ValueTask<ReplyBatch?>((ReplyBatch?)null);
        }

        _core.Reset();
        _waiting = true;
        return new ValueTask<ReplyBatch?>(this, _core.Version);
    }

    /// <summary>Returns a sent batch, cleared, for the writers to fill again (call under the write lock).</summary>
    public void Recycle(ReplyBatch batch)
    {
        batch.Clear();
        _spare = batch;
    }

    private ReplyBatch Swap()
    {
        var full = _filling;
        // The sender recycles each batch before it takes the next, so the spare is always there.
        _filling = _spare ?? throw new InvalidOperationException("a reply batch was taken before the previous one was recycled");
        _spare = null;
        return full;
    }

    ReplyBatch? IValueTaskSource<ReplyBatch?>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReplyBatch?>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<ReplyBatch?>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
