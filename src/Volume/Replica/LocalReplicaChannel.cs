using System.Diagnostics;
using System.Runtime.InteropServices;
using ActorStore.Blocks;
using ActorStore.Volume.Io;
using BlockReplica = ActorStore.Blocks.Replica;

namespace ActorStore.Volume.Replicas;

/// <summary>
/// The engine's channel to a replica in its own process (DESIGN §3: no socket, no copy). A read the page cache
/// holds is served at once on the caller's thread (it cannot wait on the disk). Everything else that may wait
/// on the disk runs as a <see cref="LocalIo"/> work item — on the caller's own thread right after it has
/// registered its continuation when the caller asks so (<see cref="DeferredIo"/>, as the NBD frontend does),
/// otherwise queued to the thread pool — at most <see cref="ReplicaChannelOptions.ConcurrentIo"/> at a time.
/// The same deadline as a socket's applies (DESIGN §2): a request unanswered after
/// <see cref="ReplicaChannelOptions.RequestTimeout"/> means the disk hangs (a frozen file system, a dying
/// device). The channel then gives up on every request it holds — they answer <see cref="ReplicaStatus.TimedOut"/>,
/// the engine fails the replica and goes on with the others — and refuses all later ones; the threads the
/// disk holds are abandoned, and the thread pool gets as many more meanwhile (<see cref="BlockedThreads"/>).
/// Fenced like the socket path: once the replica has accepted a newer epoch, every call answers
/// <see cref="ReplicaStatus.StaleEpoch"/>. The replica belongs to its owner (the ReplicaActor) and is not disposed here.
/// </summary>
public sealed class LocalReplicaChannel : IReplicaChannel
{
    private const int PoolLimit = 1024;
    private readonly long _deadlineTicks;
    private readonly int _concurrency;
    private readonly object _lock = new();
    private readonly Stack<LocalIo> _pool = new();
    private readonly Timer? _watchdog;
    private LocalIo? _oldest, _newest;          // every accepted request, oldest first
    private LocalIo? _firstWaiting, _lastWaiting; // accepted, not started: waiting for one of the slots
    private int _running;
    private volatile bool _hung;
    private volatile bool _disposed;

    private LocalReplicaChannel(BlockReplica replica, long epoch, ReplicaChannelOptions options)
    {
        Replica = replica;
        Epoch = epoch;
        _concurrency = options.ConcurrentIo;
        ReplicaId = replica.Identity.ReplicaId;
        if (options.RequestTimeout == Timeout.InfiniteTimeSpan) return;
        _deadlineTicks = (long)(options.RequestTimeout.TotalSeconds * Stopwatch.Frequency);
        var period = TimeSpan.FromTicks(Math.Clamp(options.RequestTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        _watchdog = new Timer(static s => ((LocalReplicaChannel)s!).CheckDeadline(), this, period, period);
    }

    /// <summary>
    /// Opens a channel for the engine of <paramref name="epoch"/>: the replica records the epoch, or answers
    /// <see cref="ReplicaStatus.StaleEpoch"/> when a newer engine has taken over (then no channel).
    /// </summary>
    public static (ReplicaStatus Status, LocalReplicaChannel? Channel) Open(BlockReplica replica, long epoch, ReplicaChannelOptions? options = null)
    {
        ReplicaStatus status;
        try
        {
            status = replica.AcceptEpoch(epoch);
        }
        catch (ObjectDisposedException)
        {
            status = ReplicaStatus.IoError; // closed by its owner
        }
        return status == ReplicaStatus.Ok ? (status, new LocalReplicaChannel(replica, epoch, options ?? ReplicaChannelOptions.Default)) : (status, null);
    }

    public string ReplicaId { get; }

    public bool IsLocal => true;

    public bool IsBroken => _disposed || _hung;

    public long Epoch { get; }

    internal BlockReplica Replica { get; }

    public ValueTask<ReplicaStatus> ReadAsync(long offset, Memory<byte> destination)
    {
        if (Refused(out var refusal)) return new(refusal);
        try
        {
            if (Replica.TryReadCached(offset, destination.Span)) return new(ReplicaStatus.Ok);
        }
        catch (ObjectDisposedException)
        {
            return new(ReplicaStatus.IoError);
        }
        return Submit(LocalIo.Op.Read, offset, destination.Length, default, destination, false, null);
    }

    public bool TryReadCached(long offset, Span<byte> destination) =>
        !Refused(out _) && Replica.TryReadCached(offset, destination);

    public ValueTask<ReplicaStatus> WriteAsync(long offset, ReadOnlyMemory<byte> data, bool track = false)
    {
        // Only an array can be held for a write given up on (AbandonedMemory): other memory is copied first.
        if (!MemoryMarshal.TryGetArray(data, out _)) data = data.ToArray();
        return Submit(LocalIo.Op.Write, offset, data.Length, data, default, false, null, track: track);
    }

    public ValueTask<ReplicaStatus> WriteZeroesAsync(long offset, long length, bool allocate, bool track = false) =>
        Submit(LocalIo.Op.Zeroes, offset, length, default, default, allocate, null, track: track);

    public ValueTask<ReplicaStatus> TrimAsync(long offset, long length, bool track = false) =>
        Submit(LocalIo.Op.Trim, offset, length, default, default, false, null, track: track);

    public ValueTask<ReplicaStatus> FlushAsync() =>
        Submit(LocalIo.Op.Flush, 0, 0, default, default, false, null);

    public ValueTask<ReplicaStatus> GetAllocationAsync(long offset, long length, List<AllocationExtent> into) =>
        Submit(LocalIo.Op.Allocation, offset, length, default, default, false, into);

    /// <summary>After disposal every call answers IoError; requests under way finish. The replica stays open (its owner closes it).</summary>
    public ValueTask<ReplicaStatus> GetLayerExtentsAsync(string snapshot, long offset, long length, List<AllocationExtent> into) =>
        Submit(LocalIo.Op.LayerExtents, offset, length, default, default, false, into, snapshot);

    public ValueTask<ReplicaStatus> ReadLayerAsync(string snapshot, long offset, Memory<byte> destination) =>
        Submit(LocalIo.Op.ReadLayer, offset, destination.Length, default, destination, false, null, snapshot);

    public ValueTask<ReplicaStatus> WriteStagedAsync(string snapshot, long offset, ReadOnlyMemory<byte> data)
    {
        if (!MemoryMarshal.TryGetArray(data, out _)) data = data.ToArray(); // as WriteAsync
        return Submit(LocalIo.Op.WriteStaged, offset, data.Length, data, default, false, null, snapshot);
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        _watchdog?.Dispose();
        return ValueTask.CompletedTask;
    }

    private ValueTask<ReplicaStatus> Submit(
        LocalIo.Op op, long offset, long length, ReadOnlyMemory<byte> data, Memory<byte> destination, bool allocate, List<AllocationExtent>? into, string? layer = null,
        bool track = false)
    {
        if (Refused(out var refusal)) return new(refusal);
        if (op is LocalIo.Op.Read or LocalIo.Op.Write && (offset < 0 || length < 0 || offset > Replica.Size - length)) return new(ReplicaStatus.OutOfRange);
        LocalIo? io;
        lock (_lock) _pool.TryPop(out io);
        io ??= new LocalIo(this);
        io.Init(op, offset, length, data, destination, allocate, into, layer, track);
        bool start;
        lock (_lock)
        {
            // Checked again under the lock: the watchdog gives up on exactly what is linked when it finds the disk hung.
            if (_hung)
            {
                io.TryAbandon(out _);
                return io.Task;
            }
            Link(io);
            start = _running < _concurrency;
            if (start) _running++;
            else Enqueue(io);
        }
        var task = io.Task;
        if (start) Start(io);
        return task;
    }

    private void Start(LocalIo io)
    {
        if (!io.TryStart()) FreeSlot(); // given up on before it started: the disk hangs
        else if (DeferredIo.Collecting) DeferredIo.Add(io);
        else ThreadPool.UnsafeQueueUserWorkItem(io, preferLocal: true);
    }

    /// <summary>A request the disk let go of: answer it (unless given up on), then run the next one waiting, on this thread.</summary>
    internal void Finished(LocalIo io, ReplicaStatus status)
    {
        while (true)
        {
            LocalIo? next;
            lock (_lock)
            {
                // Unlinked before it is answered: the answer may send it back to the pool for another request.
                Unlink(io);
                next = _hung ? null : Dequeue();
                if (next is null) _running--;
            }
            if (!io.TryComplete(status))
            {
                io.LetGo(); // given up on: its memory may be reused now that the disk let it go
                BlockedThreads.Released(1);
            }
            if (next is null) return;
            if (!next.TryStart())
            {
                FreeSlot();
                return;
            }
            io = next;
            status = io.IsAbandoned ? ReplicaStatus.TimedOut : io.Run();
        }
    }

    private void FreeSlot()
    {
        lock (_lock) _running--;
    }

    internal void Return(LocalIo io)
    {
        lock (_lock)
        {
            if (_pool.Count < PoolLimit) _pool.Push(io);
        }
    }

    /// <summary>Every period: when the oldest request running has run past the deadline, the disk hangs, and the channel gives up.</summary>
    private void CheckDeadline()
    {
        List<LocalIo> given;
        lock (_lock)
        {
            if (_hung) return;
            var started = _oldest;
            while (started is not null && started.Started == 0) started = started.Next; // waiting ones hold no disk
            if (started is null || Stopwatch.GetTimestamp() - started.Started < _deadlineTicks) return;
            _hung = true;
            given = [];
            for (var io = _oldest; io is not null; io = io.Next) given.Add(io);
            _firstWaiting = _lastWaiting = null;
        }
        var blocked = 0;
        foreach (var io in given)
            if (io.TryAbandon(out var wasRunning) && wasRunning) blocked++;
        // Those hold their threads until the disk lets them go: the pool gets as many more meanwhile.
        BlockedThreads.Blocked(blocked);
    }

    private bool Refused(out ReplicaStatus status)
    {
        // A closed channel is a lost connection to the engine; a newer epoch means another engine took over;
        // a hung disk is given up on for good (the engine fails the replica).
        status = _disposed ? ReplicaStatus.IoError : _hung ? ReplicaStatus.TimedOut : Replica.Epoch > Epoch ? ReplicaStatus.StaleEpoch : ReplicaStatus.Ok;
        return status != ReplicaStatus.Ok;
    }

    private void Link(LocalIo io)
    {
        io.Previous = _newest;
        io.Next = null;
        if (_newest is null) _oldest = io; else _newest.Next = io;
        _newest = io;
    }

    private void Unlink(LocalIo io)
    {
        if (io.Previous is null) _oldest = io.Next; else io.Previous.Next = io.Next;
        if (io.Next is null) _newest = io.Previous; else io.Next.Previous = io.Previous;
        io.Previous = io.Next = null;
    }

    private void Enqueue(LocalIo io)
    {
        io.NextWaiting = null;
        if (_lastWaiting is null) _firstWaiting = io; else _lastWaiting.NextWaiting = io;
        _lastWaiting = io;
    }

    private LocalIo? Dequeue()
    {
        var io = _firstWaiting;
        if (io is null) return null;
        _firstWaiting = io.NextWaiting;
        if (_firstWaiting is null) _lastWaiting = null;
        io.NextWaiting = null;
        return io;
    }
}
