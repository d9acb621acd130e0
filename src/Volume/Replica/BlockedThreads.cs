namespace ActorStore.Volume.Replicas;

/// <summary>
/// Thread-pool threads a hung disk holds (requests a <see cref="LocalReplicaChannel"/> gave up on): the pool's
/// minimum is raised by as many while they are held, so the rest of the node — other volumes, the actors, the
/// journal — keeps its threads. The pool only injects threads slowly on its own, and on 2 cores a few held
/// threads would starve it.
/// </summary>
internal static class BlockedThreads
{
    private static readonly object Gate = new();

    public static void Blocked(int count) => Adjust(count);

    public static void Released(int count) => Adjust(-count);

    private static void Adjust(int delta)
    {
        if (delta == 0) return;
        lock (Gate)
        {
            ThreadPool.GetMinThreads(out var workers, out var io);
            ThreadPool.SetMinThreads(Math.Max(1, workers + delta), io);
        }
    }
}
