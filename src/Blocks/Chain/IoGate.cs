namespace ActorStore.Blocks.Chain;

/// <summary>
/// A reader-writer gate for the data path: I/O enters shared, chain changes enter exclusive. Readers
/// touch only a counter on their own processor's cache line (ReaderWriterLockSlim serialises every
/// enter and exit through one internal spin lock, which four threads on two cores feel).
/// </summary>
internal sealed class IoGate
{
    private const int Stripes = 32;
    private const int Spacing = 16; // longs: 128 bytes between counters, one cache line pair each
    private readonly long[] _readers = new long[Stripes * Spacing];
    private readonly object _exclusive = new();
    private int _writer;

    /// <summary>Enters shared; pass the returned token to <see cref="ExitShared"/>.</summary>
    public int EnterShared()
    {
        var slot = (Thread.GetCurrentProcessorId() & (Stripes - 1)) * Spacing;
        while (true)
        {
            Interlocked.Increment(ref _readers[slot]);
            if (Volatile.Read(ref _writer) == 0) return slot;
            Interlocked.Decrement(ref _readers[slot]);
            lock (_exclusive)
            {
                // The writer held this until it left; try again.
            }
        }
    }

    /// <summary>Enters shared unless a writer is in: never waits.</summary>
    public bool TryEnterShared(out int token)
    {
        token = (Thread.GetCurrentProcessorId() & (Stripes - 1)) * Spacing;
        Interlocked.Increment(ref _readers[token]);
        if (Volatile.Read(ref _writer) == 0) return true;
        Interlocked.Decrement(ref _readers[token]);
        return false;
    }

    public void ExitShared(int token) => Interlocked.Decrement(ref _readers[token]);

    public void EnterExclusive()
    {
        Monitor.Enter(_exclusive);
        Interlocked.Exchange(ref _writer, 1);
        var spin = new SpinWait();
        for (var i = 0; i < Stripes; i++)
            while (Volatile.Read(ref _readers[i * Spacing]) != 0) spin.SpinOnce();
    }

    public void ExitExclusive()
    {
        Volatile.Write(ref _writer, 0);
        Monitor.Exit(_exclusive);
    }
}
