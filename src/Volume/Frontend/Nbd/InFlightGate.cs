using System.Threading.Tasks.Sources;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// Bounds one connection's work: requests in flight and bytes held (request buffers plus replies not yet
/// sent). The read loop waits here before reading more, which is the backpressure: a client that sends
/// faster than we serve, or does not read its replies, stops being read. One waiter at a time (the read
/// loop); releases come from any thread. Reusable and allocation-free.
/// </summary>
internal sealed class InFlightGate : IValueTaskSource
{
    private readonly int _maxCount;
    private readonly long _maxBytes;
    private int _count;
    private long _bytes;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _waiting;   // 1 while the read loop is parked
    private bool _forIdle;  // what it waits for: room, or nothing in flight at all
    private volatile bool _woken; // the connection is closing: never park again

    public InFlightGate(int maxCount, long maxBytes)
    {
        _maxCount = maxCount;
        _maxBytes = maxBytes;
    }

    public int Count => Volatile.Read(ref _count);

    public bool IsIdle => Volatile.Read(ref _count) == 0 && Interlocked.Read(ref _bytes) == 0;

    // The byte limit is checked before a request is read, so one request (at most 32 MiB) may overshoot it.
    public bool HasRoom => Volatile.Read(ref _count) < _maxCount && Interlocked.Read(ref _bytes) < _maxBytes;

    public void Add(int count, long bytes)
    {
        if (count != 0)
        {
            Interlocked.Add(ref _count, count);
        }

        if (bytes != 0)
        {
            Interlocked.Add(ref _bytes, bytes);
        }
    }

    public void Release(int count, long bytes)
    {
        Add(-count, -bytes);
        if (Volatile.Read(ref _waiting) == 1 && Ready() && Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            _core.SetResult(true);
        }
    }

    /// <summary>Releases a parked waiter whatever the counts (the connection is closing).</summary>
    public void Wake()
    {
        _woken = true;
        if (Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            _core.SetResult(true);
        }
    }

    /// <summary>Completes when there is room for another request.</summary>
    public ValueTask WaitForRoomAsync() => Wait(forIdle: false);

    /// <summary>Completes when nothing is in flight and every reply has been sent.</summary>
    public ValueTask WaitForIdleAsync() => Wait(forIdle: true);

    private ValueTask Wait(bool forIdle)
    {
        _forIdle = forIdle;
        if (Ready())
        {
            return default;
        }

        _core.Reset();
        Volatile.Write(ref _waiting, 1);
        // A release between the check above and publishing _waiting would be missed: check again.
        if (Ready() && Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            return default;
        }

        return new ValueTask(this, _core.Version);
    }

    private bool Ready() => _woken || (_forIdle ? IsIdle : HasRoom);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
