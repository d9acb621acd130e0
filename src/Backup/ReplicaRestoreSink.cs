using ActorStore.Blocks;

namespace ActorStore.Backup;

/// <summary>A restore written straight into a replica open in this process (a new volume's, before any engine opens it).</summary>
public sealed class ReplicaRestoreSink(Replica replica, string describe) : IRestoreSink
{
    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancel)
    {
        var written = Check(replica.Write(offset, data.Span), offset);
        replica.WriteBehind(offset, data.Length);
        return written;
    }

    public ValueTask ZeroAsync(long offset, long length, CancellationToken cancel) =>
        Check(replica.WriteZeroes(offset, length), offset);

    private ValueTask Check(ReplicaStatus status, long offset) => status == ReplicaStatus.Ok
        ? ValueTask.CompletedTask
        : throw new IOException($"writing {describe} at offset {offset} failed: {status}" + (status == ReplicaStatus.NoSpace ? "; its disk is full" : ""));
}
