namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// Orders FLUSH after the writes received before it on one connection. Requests run in parallel, so a
/// flush dispatched at once could reach the engine before a write sent ahead of it completes, and the
/// engine's flush covers only completed writes. Writes are counted per epoch; each flush closes the
/// current epoch and runs once every write of its epoch and earlier ones has completed. Later writes
/// do not hold it back. Flushes become ready in arrival order. Allocation-free after construction.
/// </summary>
internal sealed class FlushBarrier<T> where T : class
{
    private readonly object _lock = new();
    private readonly int[] _pending;        // incomplete writes per epoch, ring indexed by epoch % length
    private readonly Queue<(long Epoch, T Flush)> _waiting;
    private long _epoch;                    // the open epoch: new writes join it
    private long _oldest;                   // every epoch below this has no incomplete write

    /// <param name="maxInFlight">Bounds the epochs alive at once (each needs a request in flight).</param>
    public FlushBarrier(int maxInFlight)
    {
        _pending = new int[maxInFlight + 2];
        _waiting = new Queue<(long, T)>(maxInFlight + 1);
    }

    /// <summary>Called when a write is dispatched; returns its epoch, to hand back to <see cref="WriteCompleted"/>.</summary>
    public long WriteStarted()
    {
        lock (_lock)
        {
            _pending[_epoch % _pending.Length]++;
            return _epoch;
        }
    }

    /// <summary>
    /// Called when a write completes. Returns a flush that became ready (the caller dispatches it), or
    /// null; call again while it returns one, with <paramref name="epoch"/> = -1.
    /// </summary>
    public T? WriteCompleted(long epoch)
    {
        lock (_lock)
        {
            if (epoch >= 0)
            {
                _pending[epoch % _pending.Length]--;
            }

            while (_oldest < _epoch && _pending[_oldest % _pending.Length] == 0)
            {
                _oldest++;
            }

            if (_waiting.Count > 0 && _waiting.Peek().Epoch < _oldest)
            {
                return _waiting.Dequeue().Flush;
            }

            return null;
        }
    }

    /// <summary>Called when a flush arrives. True: it may run now. False: it is held and handed out later by <see cref="WriteCompleted"/>.</summary>
    public bool TryStartFlush(T flush)
    {
        lock (_lock)
        {
            long epoch = _epoch++;
            while (_oldest < _epoch && _pending[_oldest % _pending.Length] == 0)
            {
                _oldest++;
            }

            // Earlier flushes still held keep their order: this one waits behind them.
            if (_waiting.Count == 0 && epoch < _oldest)
            {
                return true;
            }

            _waiting.Enqueue((epoch, flush));
            return false;
        }
    }
}
