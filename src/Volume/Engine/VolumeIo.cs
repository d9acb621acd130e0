using System.Buffers;
using System.Runtime.CompilerServices;
using ActorStore.Blocks;
using ActorStore.Volume.Io;

namespace ActorStore.Volume.Engine;

/// <summary>
/// The engine's I/O pipeline (DESIGN §3): the NBD session calls it directly, with no actor hop per
/// request. It fans every write out to all writable replicas of the current <see cref="ReplicaSetView"/>,
/// acknowledges when all have it, orders requests per 4 KiB block, reads from one RW replica, and hands
/// every replica failure to the volume actor, waiting until the ERR is persisted before it answers.
/// Only the actor changes the replica set; it publishes views here.
/// </summary>
public sealed partial class VolumeIo : IVolumeIo
{
    private readonly IReplicaFailureSink _sink;
    private readonly BlockOrdering _ordering = new();
    private readonly RequestGate _gate;
    private ReplicaSetView _view;
    private int _nextReader;

    /// <param name="lease">The node's lease: requests wait while it is expired and fail once it stays so (null: unlimited).</param>
    public VolumeIo(string name, long size, ReplicaSetView view, IReplicaFailureSink sink, NodeLease? lease = null)
    {
        _gate = new RequestGate(lease ?? NodeLease.Unlimited);
        Name = name;
        Size = size;
        _view = view;
        _sink = sink;
    }

    public string Name { get; }

    public long Size { get; }

    public ReplicaSetView View => Volatile.Read(ref _view);

    /// <summary>Replaces the replica set the next requests use.</summary>
    public void Publish(ReplicaSetView view) => Volatile.Write(ref _view, view);

    /// <summary>Holds new requests and completes when none is in flight (for snapshot and purge).</summary>
    public Task PauseAsync() => _gate.PauseAsync();

    public void Resume() => _gate.Resume();

    /// <summary>Refuses new requests with <see cref="IoStatus.ShuttingDown"/> and completes when in-flight ones are done.</summary>
    public Task CloseAsync() => _gate.CloseAsync();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IoStatus> ReadAsync(long offset, Memory<byte> destination)
    {
        if (!InRange(offset, destination.Length)) return IoStatus.InvalidArgument;
        if (!await _gate.EnterAsync().ConfigureAwait(false)) return IoStatus.ShuttingDown;
        try
        {
            while (PickReader() is { } member)
            {
                var status = await member.Channel.ReadAsync(offset, destination).ConfigureAwait(false);
                if (status == ReplicaStatus.Ok) return IoStatus.Ok;
                var failed = await HandleReaderFailureAsync(member, status, "read").ConfigureAwait(false);
                if (failed != IoStatus.Ok) return failed;
            }
            return IoStatus.IoError;
        }
        finally
        {
            _gate.Exit();
        }
    }

    public bool TryReadCached(long offset, Span<byte> destination)
    {
        if (!InRange(offset, destination.Length) || !_gate.TryEnter()) return false;
        try
        {
            // Only the local replica can answer at once, and PickReader would take it first anyway.
            var readers = View.Readable;
            return readers.Length > 0 && readers[0].Channel.IsLocal && readers[0].Channel.TryReadCached(offset, destination);
        }
        finally
        {
            _gate.Exit();
        }
    }

    public ValueTask<IoStatus> WriteAsync(long offset, ReadOnlyMemory<byte> data, bool fua) =>
        InRange(offset, data.Length) ? MutateAsync(Mutation.Write, offset, data.Length, data, fua) : ValueTask.FromResult(IoStatus.InvalidArgument);

    public ValueTask<IoStatus> WriteZeroesAsync(long offset, long length, bool noHole, bool fastOnly, bool fua)
    {
        if (!InRange(offset, length)) return ValueTask.FromResult(IoStatus.InvalidArgument);
        if (fastOnly) return FastZeroAsync(offset, length, noHole, fua);
        return MutateAsync(noHole ? Mutation.ZeroesAllocated : Mutation.Zeroes, offset, length, default, fua);
    }

    public ValueTask<IoStatus> TrimAsync(long offset, long length, bool fua) =>
        InRange(offset, length) ? MutateAsync(Mutation.Trim, offset, length, default, fua) : ValueTask.FromResult(IoStatus.InvalidArgument);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IoStatus> FlushAsync()
    {
        if (!await _gate.EnterAsync().ConfigureAwait(false)) return IoStatus.ShuttingDown;
        try
        {
            return await FanOutAsync(Mutation.Flush, 0, 0, default).ConfigureAwait(false);
        }
        finally
        {
            _gate.Exit();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IoStatus> GetAllocationAsync(long offset, long length, List<AllocationExtent> into)
    {
        if (!InRange(offset, length) || length == 0) return IoStatus.InvalidArgument;
        if (!await _gate.EnterAsync().ConfigureAwait(false)) return IoStatus.ShuttingDown;
        try
        {
            while (PickReader() is { } member)
            {
                var start = into.Count;
                var status = await member.Channel.GetAllocationAsync(offset, length, into).ConfigureAwait(false);
                if (status == ReplicaStatus.Ok) return IoStatus.Ok;
                into.RemoveRange(start, into.Count - start);
                var failed = await HandleReaderFailureAsync(member, status, "block status").ConfigureAwait(false);
                if (failed != IoStatus.Ok) return failed;
            }
            return IoStatus.IoError;
        }
        finally
        {
            _gate.Exit();
        }
    }

    private bool InRange(long offset, long length) => offset >= 0 && length >= 0 && offset <= Size - length;

    /// <summary>The local RW replica when there is one, otherwise the RW replicas in turn.</summary>
    private ReplicaSetView.Member? PickReader()
    {
        var readers = View.Readable;
        if (readers.Length == 0) return null;
        if (readers[0].Channel.IsLocal) return readers[0];
        var turn = (uint)Interlocked.Increment(ref _nextReader);
        return readers[turn % (uint)readers.Length];
    }

    /// <summary>Fails a replica that could not serve a read, so the next pick is another one. Ok means "try again".</summary>
    private async ValueTask<IoStatus> HandleReaderFailureAsync(ReplicaSetView.Member member, ReplicaStatus status, string operation)
    {
        switch (status)
        {
            case ReplicaStatus.OutOfRange or ReplicaStatus.InvalidArgument:
                return IoStatus.InvalidArgument;
            case ReplicaStatus.StaleEpoch:
                _sink.Fenced(member.ReplicaId, member.Channel.Epoch);
                return IoStatus.IoError;
        }
        var persisted = await _sink.FailAsync([new ReplicaFailure(member.ReplicaId, status, operation, member.Channel.Epoch)]).ConfigureAwait(false);
        return persisted ? IoStatus.Ok : IoStatus.IoError;
    }
}
