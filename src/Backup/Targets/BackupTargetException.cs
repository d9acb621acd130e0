namespace ActorStore.Backup.Targets;

/// <summary>The backup target could not be read or written (unreachable, refused, full): the message says which target and what to check.</summary>
public sealed class BackupTargetException(string message, Exception? inner = null) : Exception(message, inner);
