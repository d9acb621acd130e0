namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// A connection's pool of request work items, so a request allocates nothing once the pool is warm.
/// READs stay out of the pool until their reply is sent, so more than the in-flight limit can exist for
/// a moment; the pool keeps no more than that limit. Thread-safe.
/// </summary>
internal sealed class NbdWorkPool(NbdSession session, int capacity)
{
    private readonly Stack<NbdRequestWork> _items = new(capacity);

    public NbdRequestWork Rent()
    {
        lock (_items)
        {
            if (_items.TryPop(out var work))
            {
                return work;
            }
        }

        return new NbdRequestWork(session);
    }

    /// <summary>Resets the work (its buffer goes back to its pool) and keeps it for the next request.</summary>
    public void Return(NbdRequestWork work)
    {
        work.Reset();
        lock (_items)
        {
            if (_items.Count < capacity)
            {
                _items.Push(work);
            }
        }
    }
}
