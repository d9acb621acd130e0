using ActorStore.Blocks;
using Microsoft.Win32.SafeHandles;

namespace ActorStore.Blocks.Bench;

/// <summary>What a workload reads and writes: the replica store, or the plain file it is compared with.</summary>
internal interface IBlockTarget : IDisposable
{
    void Read(long offset, Span<byte> buffer);
    void Write(long offset, ReadOnlySpan<byte> data);

    /// <summary>Makes everything written durable (between runs, outside the measured time).</summary>
    void Flush();
}

/// <summary>The reference: positional I/O with <see cref="RandomAccess"/> on one sparse file, page cache on.</summary>
internal sealed class PlainFileTarget(SafeFileHandle handle) : IBlockTarget
{
    public void Read(long offset, Span<byte> buffer) => RandomAccess.Read(handle, buffer, offset);
    public void Write(long offset, ReadOnlySpan<byte> data) => RandomAccess.Write(handle, data, offset);
    public void Flush() => RandomAccess.FlushToDisk(handle);
    public void Dispose() => handle.Dispose();
}

internal sealed class ReplicaTarget(Replica replica) : IBlockTarget
{
    public Replica Replica => replica;

    public void Read(long offset, Span<byte> buffer) => Check(replica.Read(offset, buffer));
    public void Write(long offset, ReadOnlySpan<byte> data) => Check(replica.Write(offset, data));
    public void Flush() => Check(replica.Flush());
    public void Dispose() => replica.Dispose();

    private static void Check(ReplicaStatus status)
    {
        if (status != ReplicaStatus.Ok) throw new InvalidOperationException($"replica I/O failed: {status}");
    }
}
