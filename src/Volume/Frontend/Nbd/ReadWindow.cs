using System.Diagnostics;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// How many large READs one connection runs at once, from taking a buffer until the reply is sent; the
/// rest wait their turn, in arrival order, holding no buffer. With few large buffers in use, fewer distinct
/// ones cycle through the pool, so a read's buffer is more likely still in the CPU caches; the kernel's
/// copies into and out of it are then cheaper (measured: docs/volume-service.md). Thread-safe.
/// </summary>
internal sealed class ReadWindow(int size)
{
    private readonly Queue<NbdRequestWork> _waiting = new();
    private int _running;

    /// <summary>True when <paramref name="work"/> may run now; otherwise it waits, and a later Leave hands it back.</summary>
    public bool TryEnter(NbdRequestWork work)
    {
        lock (_waiting)
        {
            if (_running == size)
            {
                _waiting.Enqueue(work);
                return false;
            }

            _running++;
            return true;
        }
    }

    /// <summary>A read that entered is done: returns the next waiting one, which now runs in its place, or null.</summary>
    public NbdRequestWork? Leave()
    {
        lock (_waiting)
        {
            if (_waiting.TryDequeue(out var next))
            {
                return next;
            }

            Debug.Assert(_running > 0, "a read left the window without having entered it");
            _running--;
            return null;
        }
    }
}
