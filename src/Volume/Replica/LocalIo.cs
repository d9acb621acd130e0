using System.Buffers;
using System.Diagnostics;
using System.Threading.Tasks.Sources;
using ActorStore.Blocks;
using ActorStore.Volume.Io;

namespace ActorStore.Volume.Replicas;

/// <summary>
/// One request of a <see cref="LocalReplicaChannel"/> that may wait on the disk: a pooled work item that the
/// caller awaits, run on the caller's own thread once it has registered its continuation (<see cref="DeferredIo"/>)
/// or queued to the pool, so the caller is never the one a hung disk holds. A read lands in its own buffer and
/// is copied out only when it completes in time; a write reads the caller's memory directly (no copy on the hot
/// path), and when the channel gives up on it while it runs, that memory is held (<see cref="AbandonedMemory"/>)
/// until the disk lets the write go, so the bytes it finally writes are the request's own.
/// States: Waiting → Running → Done, or → Abandoned from either (the channel gave up: the caller has
/// <see cref="ReplicaStatus.TimedOut"/>). Pooled only after both the completer and the awaiter are done with it.
/// </summary>
internal sealed class LocalIo : IThreadPoolWorkItem, IValueTaskSource<ReplicaStatus>
{
    public enum Op { Read, Write, Zeroes, Trim, Flush, Allocation, ReadLayer, WriteStaged, LayerExtents }

    private const int Waiting = 0, Running = 1, Done = 2, Abandoned = 3;

    private readonly LocalReplicaChannel _channel;
    private readonly List<AllocationExtent> _extents = [];
    private ManualResetValueTaskSourceCore<ReplicaStatus> _core;
    private Op _op;
    private long _offset;
    private long _length;
    private bool _allocate;
    private bool _track;
    private byte[]? _buffer;
    private ReadOnlyMemory<byte> _data;
    private Memory<byte> _destination;
    private List<AllocationExtent>? _into;
    private string? _layer;
    private readonly List<BlockExtent> _layerExtents = [];
    private int _state;
    private int _references;

    public LocalIo(LocalReplicaChannel channel) => _channel = channel;

    /// <summary>When it started on a thread (Stopwatch ticks; 0 while it waits): the deadline counts from here.</summary>
    public long Started { get; private set; }

    /// <summary>Links of the channel's list of accepted requests (oldest first) and of its queue.</summary>
    public LocalIo? Previous, Next, NextWaiting;

    public ValueTask<ReplicaStatus> Task => new(this, _core.Version);

    public bool IsAbandoned => Volatile.Read(ref _state) == Abandoned;

    /// <summary>Fills in a request; outside the channel's lock (a read rents its buffer here).</summary>
    public void Init(Op op, long offset, long length, ReadOnlyMemory<byte> data, Memory<byte> destination, bool allocate, List<AllocationExtent>? into, string? layer = null, bool track = false)
    {
        _layer = layer;
        _track = track;
        _core.Reset();
        _core.RunContinuationsAsynchronously = false; // the engine goes on on the completing thread
        _op = op;
        _offset = offset;
        _length = length;
        _allocate = allocate;
        _data = data;
        _destination = destination;
        _into = into;
        _state = Waiting;
        _references = 2; // the completer and the awaiter
        Started = 0;
        if (op is Op.Read or Op.ReadLayer) _buffer = ArrayPool<byte>.Shared.Rent((int)length);
    }

    /// <summary>Marks it started; false when the channel gave up on it while it waited.</summary>
    public bool TryStart()
    {
        Started = Stopwatch.GetTimestamp();
        return Interlocked.CompareExchange(ref _state, Running, Waiting) == Waiting;
    }

    /// <summary>
    /// Gives up on it (past the deadline): its caller gets <see cref="ReplicaStatus.TimedOut"/> now. False if it
    /// had finished; <paramref name="wasRunning"/> says whether a thread may still be in it.
    /// </summary>
    public bool TryAbandon(out bool wasRunning)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            wasRunning = state == Running;
            if (state is Done or Abandoned) return false;
            // Held before the caller can hear: from then on it must not reuse the memory.
            var hold = wasRunning && _op is Op.Write or Op.WriteStaged;
            if (hold) AbandonedMemory.Hold(_data);
            if (Interlocked.CompareExchange(ref _state, Abandoned, state) == state) break;
            if (hold) AbandonedMemory.Release(_data); // it moved on meanwhile: look again
        }
        if (!wasRunning) ReturnBuffer(); // it will never run: nothing else touches it
        _core.RunContinuationsAsynchronously = true; // not on the watchdog's thread, which has more to give up on
        _core.SetResult(ReplicaStatus.TimedOut);
        return true;
    }

    public void Execute()
    {
        // Given up on after it was started but before a thread got to it: it must not touch the replica now.
        _channel.Finished(this, IsAbandoned ? ReplicaStatus.TimedOut : Run());
    }

    /// <summary>Carries the request out on the calling thread, however long the disk takes. Fenced by the channel's epoch.</summary>
    public ReplicaStatus Run()
    {
        var replica = _channel.Replica;
        var epoch = _channel.Epoch;
        try
        {
            return _op switch
            {
                Op.Read => replica.Read(_offset, _buffer.AsSpan(0, (int)_length)),
                Op.Write => replica.Write(_offset, _data.Span, epoch, _track),
                Op.Zeroes => replica.WriteZeroes(_offset, _length, _allocate, epoch, _track),
                Op.Trim => replica.Trim(_offset, _length, epoch, _track),
                Op.Flush => replica.Flush(epoch),
                Op.ReadLayer => replica.ReadLayer(_layer!, _offset, _buffer.AsSpan(0, (int)_length)),
                Op.WriteStaged => replica.WriteStaged(_layer!, _offset, _data.Span),
                Op.LayerExtents => LayerExtents(replica),
                _ => replica.GetAllocation(_offset, _length, _extents),
            };
        }
        catch (ObjectDisposedException)
        {
            return ReplicaStatus.IoError; // closed by its owner
        }
    }

    /// <summary>Answers the caller unless the channel gave up on it meanwhile; returns whether it did.</summary>
    private ReplicaStatus LayerExtents(Blocks.Replica replica)
    {
        _layerExtents.Clear();
        var status = replica.GetLayerExtents(_layer, _offset, _length, _layerExtents);
        foreach (var e in _layerExtents) _extents.Add(new AllocationExtent(e.Offset, e.Length, IsHole: false));
        _layerExtents.Clear();
        return status;
    }

    public bool TryComplete(ReplicaStatus status)
    {
        if (Interlocked.CompareExchange(ref _state, Done, Running) != Running) return false;
        // Copied out before the answer, while the caller still waits for it: its memory is valid.
        if (status == ReplicaStatus.Ok && _op is Op.Read or Op.ReadLayer) _buffer.AsSpan(0, (int)_length).CopyTo(_destination.Span);
        if (status == ReplicaStatus.Ok && _op is Op.Allocation or Op.LayerExtents) _into!.AddRange(_extents);
        ReturnBuffer();
        _core.SetResult(status);
        Release();
        return true;
    }

    /// <summary>After the disk let a request go that the channel had given up on: its memory may be reused now.</summary>
    public void LetGo()
    {
        ReturnBuffer();
        if (_op == Op.Write) AbandonedMemory.Release(_data);
    }

    private void ReturnBuffer()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        _extents.Clear();
    }

    /// <summary>One of the two parties is done with it; the second one pools it (never an abandoned one, which a thread may still hold).</summary>
    private void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        _data = default;
        _destination = default;
        _into = null;
        _channel.Return(this);
    }

    ReplicaStatus IValueTaskSource<ReplicaStatus>.GetResult(short token)
    {
        var status = _core.GetResult(token);
        if (!IsAbandoned) Release();
        return status;
    }

    ValueTaskSourceStatus IValueTaskSource<ReplicaStatus>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<ReplicaStatus>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
