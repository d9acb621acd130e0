namespace ActorStore.Backup;

/// <summary>Something in the target is not what was written (a block that fails its hash, an unreadable record): the message names it.</summary>
public sealed class BackupCorruptException(string message) : Exception(message);
