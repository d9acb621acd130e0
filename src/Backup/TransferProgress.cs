namespace ActorStore.Backup;

/// <summary>How far a backup or restore is: bytes of the volume done of those it must go through (rate and ETA are the caller's).</summary>
public readonly record struct TransferProgress(long Done, long Total);
