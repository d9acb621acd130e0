using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>
/// A sparse in-memory <see cref="IVolumeIo"/> for tests: 4 KiB blocks that exist only once written (so
/// allocation shows holes), faults injected per call, optional latency, and a hold that parks every call
/// until released (to have requests in flight on purpose). Synchronous and allocation-free when no
/// latency or hold is set and the blocks touched already exist.
/// </summary>
public sealed class MemoryVolume : IVolumeIo
{
    public const int BlockSize = 4096;

    private readonly object _lock = new();
    private readonly Dictionary<long, byte[]> _blocks = new();
    private readonly Queue<IoStatus> _faults = new();
    private TaskCompletionSource? _hold;
    private int _calls;
    private int _flushes;

    public MemoryVolume(string name, long size)
    {
        if (size % BlockSize != 0)
        {
            throw new ArgumentException("size must be a multiple of 4096", nameof(size));
        }

        Name = name;
        Size = size;
    }

    public string Name { get; }

    public long Size { get; }

    /// <summary>Delay before each call completes; zero means complete synchronously.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Whether WRITE_ZEROES with FAST_ZERO succeeds (when it may punch holes) or gets NotSupported.</summary>
    public bool FastZeroSupported { get; set; } = true;

    public int Calls => Volatile.Read(ref _calls);

    public int Flushes => Volatile.Read(ref _flushes);

    public int AllocatedBlocks
    {
        get { lock (_lock) { return _blocks.Count; } }
    }

    /// <summary>The next <paramref name="count"/> calls fail with <paramref name="status"/>, changing nothing.</summary>
    public void InjectFault(IoStatus status, int count = 1)
    {
        lock (_lock)
        {
            for (int i = 0; i < count; i++)
            {
                _faults.Enqueue(status);
            }
        }
    }

    /// <summary>Parks every call from now until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_lock)
        {
            _hold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release()
    {
        TaskCompletionSource? hold;
        lock (_lock)
        {
            hold = _hold;
            _hold = null;
        }

        hold?.TrySetResult();
    }

    /// <summary>A copy of the whole volume (tests compare it with what a client wrote).</summary>
    public byte[] Snapshot()
    {
        var all = new byte[Size];
        lock (_lock)
        {
            foreach (var (index, block) in _blocks)
            {
                block.CopyTo(all, index * BlockSize);
            }
        }

        return all;
    }

    public ValueTask<IoStatus> ReadAsync(long offset, Memory<byte> destination) =>
        Run(new Call(Kind.Read, offset, destination.Length, IoStatus.InvalidArgument) { Destination = destination });

    /// <summary>
    /// Whether <see cref="TryReadCached"/> serves reads (as the engine does when the page cache holds them),
    /// unless a fault, a hold or latency is set: those reads take the asynchronous path.
    /// </summary>
    public bool CachedReads { get; set; }

    public int CachedReadCalls => Volatile.Read(ref _cachedReads);

    private int _cachedReads;

    public bool TryReadCached(long offset, Span<byte> destination)
    {
        if (!CachedReads || Latency > TimeSpan.Zero || offset < 0 || destination.Length > Size - offset)
        {
            return false;
        }

        lock (_lock)
        {
            if (_hold is not null || _faults.Count > 0)
            {
                return false;
            }

            Read(offset, destination);
        }

        Interlocked.Increment(ref _cachedReads);
        return true;
    }

    public ValueTask<IoStatus> WriteAsync(long offset, ReadOnlyMemory<byte> data, bool fua) =>
        Run(new Call(Kind.Write, offset, data.Length, IoStatus.NoSpace) { Data = data });

    public ValueTask<IoStatus> WriteZeroesAsync(long offset, long length, bool noHole, bool fastOnly, bool fua)
    {
        if (fastOnly && (noHole || !FastZeroSupported))
        {
            return new ValueTask<IoStatus>(IoStatus.NotSupported);
        }

        return Run(new Call(Kind.Zero, offset, length, IoStatus.NoSpace) { Punch = !noHole });
    }

    public ValueTask<IoStatus> TrimAsync(long offset, long length, bool fua) =>
        Run(new Call(Kind.Trim, offset, length, IoStatus.InvalidArgument));

    public ValueTask<IoStatus> FlushAsync()
    {
        Interlocked.Increment(ref _flushes);
        return Run(new Call(Kind.Flush, 0, 0, IoStatus.InvalidArgument));
    }

    public ValueTask<IoStatus> GetAllocationAsync(long offset, long length, List<AllocationExtent> into) =>
        Run(new Call(Kind.Allocation, offset, length, IoStatus.InvalidArgument) { Into = into });

    private enum Kind { Read, Write, Zero, Trim, Flush, Allocation }

    // The arguments of one call as a struct, so nothing is captured (a closure would allocate per call).
    private readonly record struct Call(Kind Kind, long Offset, long Length, IoStatus OutOfRange)
    {
        public Memory<byte> Destination { get; init; }
        public ReadOnlyMemory<byte> Data { get; init; }
        public bool Punch { get; init; }
        public List<AllocationExtent>? Into { get; init; }
    }

    private ValueTask<IoStatus> Run(in Call call)
    {
        Interlocked.Increment(ref _calls);
        Task? hold;
        IoStatus fault = IoStatus.Ok;
        lock (_lock)
        {
            hold = _hold?.Task;
            if (_faults.Count > 0)
            {
                fault = _faults.Dequeue();
            }
        }

        if (call.Offset < 0 || call.Length < 0 || call.Offset > Size || call.Length > Size - call.Offset)
        {
            fault = call.OutOfRange;
        }

        if (hold is null && Latency == TimeSpan.Zero)
        {
            return new ValueTask<IoStatus>(Apply(fault, call));
        }

        return new ValueTask<IoStatus>(Later(hold, fault, call));
    }

    private async Task<IoStatus> Later(Task? hold, IoStatus fault, Call call)
    {
        if (hold is not null)
        {
            await hold.ConfigureAwait(false);
        }

        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency).ConfigureAwait(false);
        }

        return Apply(fault, call);
    }

    private IoStatus Apply(IoStatus fault, in Call call)
    {
        if (fault != IoStatus.Ok)
        {
            return fault;
        }

        lock (_lock)
        {
            switch (call.Kind)
            {
                case Kind.Read: Read(call.Offset, call.Destination.Span); break;
                case Kind.Write: Write(call.Offset, call.Data.Span); break;
                case Kind.Zero: Zero(call.Offset, call.Length, call.Punch); break;
                case Kind.Trim: Punch(call.Offset, call.Length); break;
                case Kind.Allocation: Allocation(call.Offset, call.Length, call.Into!); break;
                default: break;
            }
        }

        return IoStatus.Ok;
    }

    private void Read(long offset, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            long index = offset / BlockSize;
            int within = (int)(offset % BlockSize);
            int n = Math.Min(BlockSize - within, destination.Length);
            if (_blocks.TryGetValue(index, out var block))
            {
                block.AsSpan(within, n).CopyTo(destination);
            }
            else
            {
                destination[..n].Clear();
            }

            destination = destination[n..];
            offset += n;
        }
    }

    private void Write(long offset, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            long index = offset / BlockSize;
            int within = (int)(offset % BlockSize);
            int n = Math.Min(BlockSize - within, data.Length);
            if (!_blocks.TryGetValue(index, out var block))
            {
                block = new byte[BlockSize];
                _blocks[index] = block;
            }

            data[..n].CopyTo(block.AsSpan(within));
            data = data[n..];
            offset += n;
        }
    }

    private void Zero(long offset, long length, bool punch)
    {
        long end = offset + length;
        while (offset < end)
        {
            long index = offset / BlockSize;
            int within = (int)(offset % BlockSize);
            int n = (int)Math.Min(BlockSize - within, end - offset);
            if (punch && n == BlockSize)
            {
                _blocks.Remove(index);
            }
            else if (_blocks.TryGetValue(index, out var block))
            {
                block.AsSpan(within, n).Clear();
            }
            else if (!punch)
            {
                _blocks[index] = new byte[BlockSize];
            }

            offset += n;
        }
    }

    // Trim drops whole blocks only: a partial block keeps its data (trim is a hint).
    private void Punch(long offset, long length)
    {
        long first = (offset + BlockSize - 1) / BlockSize;
        long last = (offset + length) / BlockSize;
        for (long index = first; index < last; index++)
        {
            _blocks.Remove(index);
        }
    }

    private void Allocation(long offset, long length, List<AllocationExtent> into)
    {
        long end = offset + length;
        long position = offset;
        while (position < end)
        {
            bool hole = !_blocks.ContainsKey(position / BlockSize);
            long stop = Math.Min(end, (position / BlockSize + 1) * BlockSize);
            while (stop < end && !_blocks.ContainsKey(stop / BlockSize) == hole)
            {
                stop = Math.Min(end, stop + BlockSize);
            }

            into.Add(new AllocationExtent(position, stop - position, hole));
            position = stop;
        }
    }
}
