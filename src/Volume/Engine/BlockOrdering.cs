using System.Threading.Tasks.Sources;

namespace ActorStore.Volume.Engine;

/// <summary>
/// Orders the writes, zeroes and trims of a volume per 4 KiB block, across all connections (DESIGN §3):
/// a request may start only when every earlier request touching one of its blocks has been
/// acknowledged by every replica. So every replica applies them in the same order, and two sub-block
/// writes into one block never race on its copy-up. Requests on different blocks run in parallel.
/// Entries are pooled, so ordering allocates nothing per request.
/// </summary>
public sealed class BlockOrdering
{
    private readonly object _lock = new();
    private Entry? _head;
    private Entry? _tail;
    private Entry? _free;

    /// <summary>Requests currently holding or waiting for blocks.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Enters [offset, offset + length). The returned task completes when every earlier overlapping
    /// request has left; the caller must then call <see cref="Leave"/> with the entry exactly once.
    /// </summary>
    public ValueTask<Entry> EnterAsync(long offset, long length)
    {
        var first = offset >> 12;
        var last = (offset + Math.Max(length, 1) - 1) >> 12;
        lock (_lock)
        {
            var entry = _free ?? new Entry();
            _free = entry.Next;
            entry.Reset(first, last);
            for (var e = _head; e is not null; e = e.Next)
                if (e.Overlaps(entry)) entry.Waiting++;
            entry.Previous = _tail;
            entry.Next = null;
            if (_tail is null) _head = entry; else _tail.Next = entry;
            _tail = entry;
            Count++;
            if (entry.Waiting == 0) return ValueTask.FromResult(entry);
            return new ValueTask<Entry>(entry, entry.Version);
        }
    }

    /// <summary>Leaves the blocks of <paramref name="entry"/>, releasing later requests that waited only for it.</summary>
    public void Leave(Entry entry)
    {
        Entry? ready = null;
        lock (_lock)
        {
            for (var e = entry.Next; e is not null; e = e.Next)
            {
                if (!e.Overlaps(entry)) continue;
                if (--e.Waiting == 0) { e.ReadyNext = ready; ready = e; }
            }
            if (entry.Previous is null) _head = entry.Next; else entry.Previous.Next = entry.Next;
            if (entry.Next is null) _tail = entry.Previous; else entry.Next.Previous = entry.Previous;
            entry.Previous = null;
            entry.Next = _free;
            _free = entry;
            Count--;
        }
        // Outside the lock: a continuation may run inline and enter again.
        while (ready is not null)
        {
            var next = ready.ReadyNext;
            ready.ReadyNext = null;
            ready.Release();
            ready = next;
        }
    }

    /// <summary>One request's claim on a run of blocks; pooled, so it is valid only until it leaves.</summary>
    public sealed class Entry : IValueTaskSource<Entry>
    {
        private ManualResetValueTaskSourceCore<Entry> _core = new() { RunContinuationsAsynchronously = true };
        private long _first;
        private long _last;
        internal int Waiting;
        internal Entry? Previous;
        internal Entry? Next;
        internal Entry? ReadyNext;

        internal short Version => _core.Version;

        internal void Reset(long first, long last)
        {
            _core.Reset();
            _first = first;
            _last = last;
            Waiting = 0;
        }

        internal bool Overlaps(Entry other) => _first <= other._last && other._first <= _last;

        internal void Release() => _core.SetResult(this);

        Entry IValueTaskSource<Entry>.GetResult(short token) => _core.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource<Entry>.GetStatus(short token) => _core.GetStatus(token);

        void IValueTaskSource<Entry>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
