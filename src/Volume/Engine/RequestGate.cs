namespace ActorStore.Volume.Engine;

/// <summary>
/// Counts the requests in flight on a volume so that control work can run with I/O drained
/// (snapshot, purge, detach) and a stop can finish what is in flight. Entering costs one interlocked
/// increment while the gate is open.
/// </summary>
public sealed class RequestGate(NodeLease lease)
{
    private const int Open = 0, Paused = 1, Closed = 2;
    private int _state;
    private int _inFlight;
    private TaskCompletionSource _drained = NewSource();
    private TaskCompletionSource _resumed = NewSource();

    public RequestGate() : this(NodeLease.Unlimited)
    {
    }

    /// <summary>
    /// Enters unless closed: true to go on, false when the volume is shutting down or the node's lease has
    /// stayed expired for two lease durations (the node has most likely been cut off from the cluster).
    /// </summary>
    public ValueTask<bool> EnterAsync()
    {
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _state) == Open && lease.IsValid) return ValueTask.FromResult(true);
        Exit();
        return EnterSlowAsync();
    }

    /// <summary>Enters only while open and leased; never waits.</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _state) == Open && lease.IsValid) return true;
        Exit();
        return false;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _state) != Open)
            Volatile.Read(ref _drained).TrySetResult();
    }

    /// <summary>Holds new requests back and completes when none is in flight.</summary>
    public Task PauseAsync()
    {
        lock (this)
        {
            if (_state == Open)
            {
                _drained = NewSource();
                _resumed = NewSource();
                Volatile.Write(ref _state, Paused);
            }
        }
        if (Volatile.Read(ref _inFlight) == 0) _drained.TrySetResult();
        return _drained.Task;
    }

    /// <summary>Lets held requests in again.</summary>
    public void Resume()
    {
        lock (this)
        {
            if (_state != Paused) return;
            Volatile.Write(ref _state, Open);
            _resumed.TrySetResult();
        }
    }

    /// <summary>Refuses every new request (held ones too) and completes when none is in flight.</summary>
    public Task CloseAsync()
    {
        lock (this)
        {
            if (_state == Open) _drained = NewSource();
            Volatile.Write(ref _state, Closed);
            _resumed.TrySetResult();
        }
        if (Volatile.Read(ref _inFlight) == 0) _drained.TrySetResult();
        return _drained.Task;
    }

    private async ValueTask<bool> EnterSlowAsync()
    {
        while (true)
        {
            if (!lease.IsValid && !await lease.WaitValidAsync(lease.Duration * 2).ConfigureAwait(false)) return false;
            Task resumed;
            lock (this)
            {
                if (_state == Closed) return false;
                if (_state == Open)
                {
                    Interlocked.Increment(ref _inFlight);
                    // Checked again inside: a request that entered may not start after the lease ran out meanwhile.
                    if (lease.IsValid) return true;
                    Exit();
                    continue;
                }
                resumed = _resumed.Task;
            }
            await resumed.ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
