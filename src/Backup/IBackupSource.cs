namespace ActorStore.Backup;

/// <summary>A snapshot of a volume to back up, read from a healthy replica's store (not through the NBD path).</summary>
public interface IBackupSource
{
    /// <summary>Fills <paramref name="into"/> with the snapshot's bytes at <paramref name="offset"/>; throws when the replica cannot be read.</summary>
    ValueTask ReadAsync(long offset, Memory<byte> into, CancellationToken cancel);
}
