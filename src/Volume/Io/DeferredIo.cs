namespace ActorStore.Volume.Io;

/// <summary>
/// Lets a caller run a local replica's disk work on its own thread without ever being the thread a hung disk
/// holds. Inside <see cref="Begin"/>…<see cref="End"/> (the NBD request work item around its call into the
/// engine) a local channel does not queue its disk work to the pool but leaves it here; the caller then
/// registers its continuation and calls <see cref="RunPending"/>, which does the work on this thread, at once,
/// its data still in this core's caches — as fast as a direct call. If the disk hangs, this thread waits in
/// RunPending, not inside the request: the channel's deadline answers the request on another thread, and this
/// thread is abandoned (DESIGN §3: every replica has the same deadline). Outside a scope, channels queue their
/// work to the thread pool as usual.
/// </summary>
public static class DeferredIo
{
    [ThreadStatic] private static bool _collecting;
    [ThreadStatic] private static List<IThreadPoolWorkItem>? _pending;

    /// <summary>Whether work started on this thread now is left for <see cref="RunPending"/>.</summary>
    public static bool Collecting => _collecting;

    public static void Begin() => _collecting = true;

    public static void End() => _collecting = false;

    /// <summary>Called by a channel while <see cref="Collecting"/>.</summary>
    public static void Add(IThreadPoolWorkItem work) => (_pending ??= new List<IThreadPoolWorkItem>(4)).Add(work);

    /// <summary>
    /// Runs the work left since <see cref="Begin"/>; call it after the continuation is registered. The first runs on
    /// this thread; any more (a write to two local replicas) go to this thread's queue of the pool, where an idle
    /// thread takes them at once or this one after the first — so one replica's hung disk cannot hold another
    /// replica's work behind it.
    /// </summary>
    public static void RunPending()
    {
        var pending = _pending;
        if (pending is null || pending.Count == 0) return;
        var first = pending[0];
        for (var i = 1; i < pending.Count; i++) ThreadPool.UnsafeQueueUserWorkItem(pending[i], preferLocal: true);
        pending.Clear();
        // Its continuations may start engine calls of their own on this thread: those are queued, not left here.
        first.Execute();
    }
}
