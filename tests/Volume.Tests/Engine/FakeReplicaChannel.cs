using System.Collections.Concurrent;
using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;

namespace ActorStore.Volume.Tests.Engine;

public enum FakeOp { Read, Write, Zeroes, Trim, Flush, Allocation }

/// <summary>
/// An in-memory replica: bytes plus a per-block allocation map. Each operation answers from a script
/// (queued statuses, then <see cref="ReplicaStatus.Ok"/>) and can be held on a gate the test opens.
/// </summary>
public sealed class FakeReplicaChannel(string replicaId, long size, bool isLocal = false) : IReplicaChannel
{
    private readonly byte[] _data = new byte[size];
    private readonly bool[] _allocated = new bool[(size + 4095) / 4096];
    private readonly ConcurrentDictionary<FakeOp, ConcurrentQueue<ReplicaStatus>> _script = new();
    private readonly ConcurrentDictionary<FakeOp, TaskCompletionSource> _holds = new();
    private readonly ConcurrentDictionary<FakeOp, int> _calls = new();
    private readonly ConcurrentDictionary<FakeOp, int> _started = new();

    public string ReplicaId { get; } = replicaId;

    public bool IsLocal { get; } = isLocal;

    public long Epoch => 1;

    public bool IsBroken => false;

    /// <summary>The next calls of <paramref name="op"/> answer these, in order; later ones answer Ok.</summary>
    public FakeReplicaChannel Answer(FakeOp op, params ReplicaStatus[] statuses)
    {
        var queue = _script.GetOrAdd(op, _ => new ConcurrentQueue<ReplicaStatus>());
        foreach (var s in statuses) queue.Enqueue(s);
        return this;
    }

    /// <summary>Calls of <paramref name="op"/> wait until the returned source is completed.</summary>
    public TaskCompletionSource Hold(FakeOp op)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _holds[op] = gate;
        return gate;
    }

    /// <summary>Calls of <paramref name="op"/> that have finished (whatever they answered).</summary>
    public int Calls(FakeOp op) => _calls.GetValueOrDefault(op);

    /// <summary>Calls of <paramref name="op"/> that have started (held ones included).</summary>
    public int Started(FakeOp op) => _started.GetValueOrDefault(op);

    public byte[] Snapshot(long offset, int length)
    {
        lock (_data) return _data.AsSpan((int)offset, length).ToArray();
    }

    public void Fill(long offset, ReadOnlySpan<byte> bytes)
    {
        lock (_data)
        {
            bytes.CopyTo(_data.AsSpan((int)offset));
            Mark(offset, bytes.Length, true);
        }
    }

    public ValueTask<ReplicaStatus> ReadAsync(long offset, Memory<byte> destination) =>
        RunAsync(FakeOp.Read, () =>
        {
            lock (_data) _data.AsSpan((int)offset, destination.Length).CopyTo(destination.Span);
        });

    /// <summary>Whether <see cref="TryReadCached"/> serves reads, as a local replica with its data in the page cache does.</summary>
    public bool Cached { get; set; }

    /// <summary>Reads served by <see cref="TryReadCached"/>.</summary>
    public int CachedReads => Volatile.Read(ref _cachedReads);

    private int _cachedReads;

    public bool TryReadCached(long offset, Span<byte> destination)
    {
        if (!Cached) return false;
        lock (_data) _data.AsSpan((int)offset, destination.Length).CopyTo(destination);
        Interlocked.Increment(ref _cachedReads);
        return true;
    }

    /// <summary>The ranges of writes, zeroes and trims sent tracked (a replica of the volume was away).</summary>
    public List<(long Offset, long Length)> Tracked { get; } = [];

    private void Track(bool track, long offset, long length)
    {
        if (track) lock (Tracked) Tracked.Add((offset, length));
    }

    public ValueTask<ReplicaStatus> WriteAsync(long offset, ReadOnlyMemory<byte> data, bool track = false)
    {
        Track(track, offset, data.Length);
        var copy = data.ToArray(); // the caller's memory is not ours after the call returns
        return RunAsync(FakeOp.Write, () => Fill(offset, copy));
    }

    public ValueTask<ReplicaStatus> WriteZeroesAsync(long offset, long length, bool allocate, bool track = false) =>
        RunAsync(FakeOp.Zeroes, () =>
        {
            Track(track, offset, length);
            lock (_data)
            {
                _data.AsSpan((int)offset, (int)length).Clear();
                Mark(offset, length, allocate);
            }
        });

    public ValueTask<ReplicaStatus> TrimAsync(long offset, long length, bool track = false) =>
        RunAsync(FakeOp.Trim, () =>
        {
            Track(track, offset, length);
            lock (_data)
            {
                _data.AsSpan((int)offset, (int)length).Clear();
                Mark(offset, length, false);
            }
        });

    public ValueTask<ReplicaStatus> FlushAsync() => RunAsync(FakeOp.Flush, () => { });

    public ValueTask<ReplicaStatus> GetAllocationAsync(long offset, long length, List<AllocationExtent> into) =>
        RunAsync(FakeOp.Allocation, () =>
        {
            lock (_data)
            {
                var end = offset + length;
                var at = offset;
                while (at < end)
                {
                    var hole = !_allocated[at / 4096];
                    var next = Math.Min(end, (at / 4096 + 1) * 4096);
                    while (next < end && !_allocated[next / 4096] == hole) next = Math.Min(end, next + 4096);
                    into.Add(new AllocationExtent(at, next - at, hole));
                    at = next;
                }
            }
        });

    // The engine's I/O tests copy no layers (rebuild is tested on real replicas).
    public ValueTask<ReplicaStatus> GetLayerExtentsAsync(string snapshot, long offset, long length, List<AllocationExtent> into) => new(ReplicaStatus.NotFound);

    public ValueTask<ReplicaStatus> ReadLayerAsync(string snapshot, long offset, Memory<byte> destination) => new(ReplicaStatus.NotFound);

    public ValueTask<ReplicaStatus> WriteStagedAsync(string snapshot, long offset, ReadOnlyMemory<byte> data) => new(ReplicaStatus.NotFound);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Mark(long offset, long length, bool allocated)
    {
        for (var b = offset / 4096; b <= (offset + Math.Max(length, 1) - 1) / 4096; b++) _allocated[b] = allocated;
    }

    private async ValueTask<ReplicaStatus> RunAsync(FakeOp op, Action apply)
    {
        _started.AddOrUpdate(op, 1, (_, n) => n + 1);
        try
        {
            if (_holds.TryGetValue(op, out var hold)) await hold.Task.ConfigureAwait(false);
            var status = _script.TryGetValue(op, out var queue) && queue.TryDequeue(out var s) ? s : ReplicaStatus.Ok;
            if (status == ReplicaStatus.Ok) apply();
            return status;
        }
        finally
        {
            _calls.AddOrUpdate(op, 1, (_, n) => n + 1);
        }
    }
}
