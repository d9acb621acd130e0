using System.Buffers;
using System.Diagnostics;
using System.Threading.Tasks.Sources;
using ActorStore.Blocks;
using ActorStore.Volume.Engine;

namespace ActorStore.Volume.Replicas;

/// <summary>
/// One request of a <see cref="LocalReplicaChannel"/> that may wait on the disk: a pooled work item that the
/// caller awaits, run on the caller's own thread once it has registered its continuation (<see cref="DeferredIo"/>)
/// or queued to the pool, so the caller is never the one a hung disk holds. A read lands in its own buffer and
/// is copied out only when it completes in time; a write reads the caller's memory directly (no copy on the hot
/// path), and when the channel gives up on it while it runs, that memory is held (<see cref="AbandonedMemory"/>)
/// until the disk lets the write go, so the bytes it finally writes are the request's own.
/// </summary>
internal sealed class LocalIo : IThreadPoolWorkItem, IValueTaskSource<ReplicaStatus>
{
    public enum Op { Read, Write, Zeroes, Trim, Flush, Allocation }

    private const int Waiting = 0, Running = 1, Done = 2, Abandoned = 3;

    private readonly LocalReplicaChannel _channel;
    private readonly List<AllocationExtent> _extents = [];
    private ManualResetValueTaskSourceCore<ReplicaStatus> _core; // continuations run inline: the engine goes on on this thread
    private Op _op;
    private long _offset;
    private long _length;
    private bool _allocate;
    private byte[]? _buffer;
    private ReadOnlyMemory<byte> _data;
    private Memory<byte> _destination;
    private List<AllocationExtent>? _into;
    private int _state;

    public LocalIo(LocalReplicaChannel channel) => _channel = channel;

    /// <summary>When the channel accepted it (Stopwatch ticks): the deadline counts from here.</summary>
    public long Accepted { get; private set; }

    /// <summary>Links of the channel's list of accepted requests (oldest first) and of its queue.</summary>
    public LocalIo? Previous, Next, NextWaiting;

    public ValueTask<ReplicaStatus> Task => new(this, _core.Version);

    public bool IsAbandoned => Volatile.Read(ref _state) == Abandoned;

    public void Init(Op op, long offset, long length, ReadOnlyMemory<byte> data, Memory<byte> destination, bool allocate, List<AllocationExtent>? into)
    {
        _core.Reset();
        _core.RunContinuationsAsynchronously = false;
        _op = op;
        _offset = offset;
        _length = length;
        _allocate = allocate;
        _data = data;
        _destination = destination;
        _into = into;
        _state = Waiting;
        Accepted = Stopwatch.GetTimestamp();
        if (op == Op.Read) _buffer = ArrayPool<byte>.Shared.Rent((int)length);
    }

    /// <summary>Marks it started; false when the channel gave up on it while it waited.</summary>
    public bool TryStart() => Interlocked.CompareExchange(ref _state, Running, Waiting) == Waiting;

    /// <summary>
    /// Gives up on it (past the deadline): its caller gets <see cref="ReplicaStatus.TimedOut"/> now. False if it
    /// had finished; <paramref name="wasRunning"/> says whether a thread is still in it.
    /// </summary>
    public bool TryAbandon(out bool wasRunning)
    {
        var state = Volatile.Read(ref _state);
        wasRunning = state == Running;
        if (state is Done or Abandoned || Interlocked.CompareExchange(ref _state, Abandoned, state) != state) return false;
        if (wasRunning && _op == Op.Write) AbandonedMemory.Hold(_data); // before the caller hears: it must not reuse the memory
        _core.RunContinuationsAsynchronously = true; // not on the watchdog's thread, which has more to give up on
        _core.SetResult(ReplicaStatus.TimedOut);
        return true;
    }

    public void Execute() => _channel.Finished(this, Run());

    /// <summary>Answers the caller unless the channel gave up on it meanwhile; returns whether it did.</summary>
    public bool TryComplete(ReplicaStatus status)
    {
        if (Interlocked.CompareExchange(ref _state, Done, Running) != Running) return false;
        // Copied out before the answer, while the caller still waits for it: its memory is valid.
        if (status == ReplicaStatus.Ok && _op == Op.Read) _buffer.AsSpan(0, (int)_length).CopyTo(_destination.Span);
        if (status == ReplicaStatus.Ok && _op == Op.Allocation) _into!.AddRange(_extents);
        ReleaseBuffer();
        _core.SetResult(status);
        return true;
    }

    /// <summary>Lets go of the request's memory: its own buffer back to the pool, the caller's (held if it was given up on) released.</summary>
    public void ReleaseBuffer()
    {
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
        if (IsAbandoned && _op == Op.Write) AbandonedMemory.Release(_data);
        _buffer = null;
        _data = default;
        _destination = default;
        _into = null;
        _extents.Clear();
    }

    /// <summary>Carries the request out on the calling thread, however long the disk takes.</summary>
    public ReplicaStatus Run()
    {
        var replica = _channel.Replica;
        try
        {
            return _op switch
            {
                Op.Read => replica.Read(_offset, _buffer.AsSpan(0, (int)_length)),
                Op.Write => replica.Write(_offset, _data.Span),
                Op.Zeroes => replica.WriteZeroes(_offset, _length, _allocate),
                Op.Trim => replica.Trim(_offset, _length),
                Op.Flush => replica.Flush(),
                _ => replica.GetAllocation(_offset, _length, _extents),
            };
        }
        catch (ObjectDisposedException)
        {
            return ReplicaStatus.IoError; // closed by its owner
        }
    }

    ReplicaStatus IValueTaskSource<ReplicaStatus>.GetResult(short token)
    {
        var status = _core.GetResult(token);
        // An abandoned one may still be running on a thread the disk holds: it is never reused.
        if (!IsAbandoned) _channel.Return(this);
        return status;
    }

    ValueTaskSourceStatus IValueTaskSource<ReplicaStatus>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<ReplicaStatus>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
