using ActorStore.Blocks;

namespace ActorStore.Backup;

/// <summary>
/// A restore written straight into a replica open in this process (a new volume's, before any engine opens it). One block
/// is written at a time: parallel writes into one file wait on its inode lock, and the kernel spins for it (a sixth of a
/// restore's CPU); the blocks are still fetched, decompressed and checked several at a time.
/// </summary>
public sealed class ReplicaRestoreSink(Replica replica, string describe) : IRestoreSink
{
    private readonly SemaphoreSlim _writing = new(1);

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancel)
    {
        await _writing.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            Check(replica.Write(offset, data.Span), offset);
        }
        finally
        {
            _writing.Release();
        }
        Check(replica.WriteBehind(offset, data.Length), offset);
    }

    public ValueTask ZeroAsync(long offset, long length, CancellationToken cancel)
    {
        Check(replica.WriteZeroes(offset, length), offset);
        return ValueTask.CompletedTask;
    }

    private void Check(ReplicaStatus status, long offset)
    {
        if (status != ReplicaStatus.Ok)
            throw new IOException($"writing {describe} at offset {offset} failed: {status}" + (status == ReplicaStatus.NoSpace ? "; its disk is full" : ""));
    }
}
