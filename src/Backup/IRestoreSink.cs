namespace ActorStore.Backup;

/// <summary>Where a restore writes: a new volume's replicas (or a DR volume's), written beside the NBD path.</summary>
public interface IRestoreSink
{
    ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancel);

    /// <summary>Makes a range read as zeros again (a block that became a hole in a later backup).</summary>
    ValueTask ZeroAsync(long offset, long length, CancellationToken cancel);
}
