using ActorStore.Blocks;

namespace ActorStore.Volume.Replicas.Data;

/// <summary>
/// A client connection's requests awaiting replies, by sequence, and the pool they are reused from.
/// Once broken it takes no more requests: whoever breaks it fails the ones it held.
/// </summary>
internal sealed class PendingTable : IPendingRequestPool
{
    private const int MaxPooled = 1024;
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, PendingRequest> _pending = [];
    private readonly Stack<PendingRequest> _free = new();
    private ulong _nextSequence;
    private bool _broken;

    public bool IsBroken
    {
        get
        {
            lock (_lock) return _broken;
        }
    }

    /// <summary>
    /// Registers a new request and returns its awaitable; <paramref name="request"/> is null (and the result
    /// IoError) once broken. Prepared under the lock, so a concurrent break fails a complete request.
    /// </summary>
    public ValueTask<ReplicaStatus> Start(
        DataOp op, DataFlags flags, long offset, long length, ReadOnlyMemory<byte> prefix, ReadOnlyMemory<byte> payload, Memory<byte> destination,
        List<AllocationExtent>? extents, long now, out PendingRequest? request)
    {
        lock (_lock)
        {
            request = null;
            if (_broken) return new ValueTask<ReplicaStatus>(ReplicaStatus.IoError);
            if (!_free.TryPop(out request)) request = new PendingRequest(this);
            var sequence = ++_nextSequence;
            _pending.Add(sequence, request);
            return request.Prepare(op, flags, sequence, offset, length, prefix, payload, destination, extents, now);
        }
    }

    /// <summary>Removes the request a reply answers; null if none has that sequence.</summary>
    public PendingRequest? Take(ulong sequence)
    {
        lock (_lock) return _pending.Remove(sequence, out var request) ? request : null;
    }

    /// <summary>Whether a request has waited since before <paramref name="timestamp"/>.</summary>
    public bool AnyStartedBefore(long timestamp)
    {
        lock (_lock)
        {
            foreach (var request in _pending.Values)
                if (request.Started < timestamp) return true;
            return false;
        }
    }

    /// <summary>Breaks the table and hands back every pending request for failing; null if already broken.</summary>
    public List<PendingRequest>? Break()
    {
        lock (_lock)
        {
            if (_broken) return null;
            _broken = true;
            var all = _pending.Values.ToList();
            _pending.Clear();
            return all;
        }
    }

    public void Return(PendingRequest request)
    {
        // Keep what a busy engine reuses, not every request of a one-off burst.
        lock (_lock)
            if (_free.Count < MaxPooled) _free.Push(request);
    }
}
