using System.Runtime.InteropServices;

namespace ActorStore.Volume.Io;

/// <summary>
/// Buffers a replica call still holds after the engine gave up on it (<see cref="Blocks.ReplicaStatus.TimedOut"/>:
/// a write on a hung disk that will read its data whenever the disk lets it go). Whoever owns such a buffer must
/// not reuse it or return it to a pool while it is held — else the abandoned write would put another request's
/// bytes on that replica — and simply drops it (the waiting call keeps it alive; the GC takes it after).
/// A write copies nothing on the way to a local replica; this is what makes that safe.
/// </summary>
public static class AbandonedMemory
{
    private static readonly HashSet<byte[]> Held = new(ReferenceEqualityComparer.Instance);
    private static int _count; // read without the lock: asked for every request's buffer, and nearly always 0

    public static void Hold(ReadOnlyMemory<byte> memory)
    {
        if (!MemoryMarshal.TryGetArray(memory, out var segment) || segment.Array is not { } array) return;
        lock (Held)
        {
            Held.Add(array);
            Volatile.Write(ref _count, Held.Count);
        }
    }

    public static void Release(ReadOnlyMemory<byte> memory)
    {
        if (!MemoryMarshal.TryGetArray(memory, out var segment) || segment.Array is not { } array) return;
        lock (Held)
        {
            Held.Remove(array);
            Volatile.Write(ref _count, Held.Count);
        }
    }

    /// <summary>Whether an abandoned call may still read <paramref name="buffer"/>: then it must not be reused.</summary>
    public static bool IsHeld(byte[] buffer)
    {
        if (Volatile.Read(ref _count) == 0) return false;
        lock (Held) return Held.Contains(buffer);
    }
}
