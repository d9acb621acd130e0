using System.Buffers;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// A connection's outgoing bytes in the order they must be sent. Replies are written whole by many threads,
/// each holding the session's write lock around its writes and its <see cref="Publish"/>; the sender takes
/// everything queued so far as a <see cref="ReplyBatch"/> (under the same lock) and sends it in gathered
/// sendmsg calls. Headers and small replies are written into the batch's reused arena; a READ's payload is
/// queued by reference to its request buffer, so the kernel's copy into the socket is the only one, and the
/// request goes back to its pool only once sent. Two batches swap between writers and the sender: nothing
/// is allocated once both arenas have grown to the connection's largest batch. Not thread-safe by itself.
/// </summary>
internal sealed class ReplyQueue : IBufferWriter<byte>
{
    private ReplyBatch _filling = new();
    private ReplyBatch? _spare = new();
    private long _unpublishedArenaBytes;

    /// <summary>No more replies will be queued.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>Something is queued that the sender has not taken.</summary>
    public bool HasQueued => !_filling.IsEmpty;

    public Span<byte> GetSpan(int sizeHint = 0) => _filling.GetSpan(sizeHint);

    public Memory<byte> GetMemory(int sizeHint = 0) => _filling.GetMemory(sizeHint);

    public void Advance(int count)
    {
        _filling.Advance(count);
        _unpublishedArenaBytes += count;
    }

    /// <summary>Queues <paramref name="payload"/> by reference; <paramref name="owner"/> is handed back by the sender once it is sent.</summary>
    public void AppendPayload(ArraySegment<byte> payload, NbdRequestWork owner) => _filling.AppendPayload(payload, owner);

    /// <summary>Ends a reply. Returns the arena bytes written since the last call (payloads are already counted by their requests).</summary>
    public long Publish()
    {
        long bytes = _unpublishedArenaBytes;
        _unpublishedArenaBytes = 0;
        return bytes;
    }

    public void Complete() => IsCompleted = true;

    /// <summary>Everything queued so far, or null when nothing is. Give the batch back with <see cref="Recycle"/> before taking the next.</summary>
    public ReplyBatch? TryTake()
    {
        if (_filling.IsEmpty)
        {
            return null;
        }

        var full = _filling;
        _filling = _spare ?? throw new InvalidOperationException("a reply batch was taken before the previous one was recycled");
        _spare = null;
        return full;
    }

    /// <summary>Returns a sent batch, cleared, for the writers to fill again.</summary>
    public void Recycle(ReplyBatch batch)
    {
        batch.Clear();
        _spare = batch;
    }
}
