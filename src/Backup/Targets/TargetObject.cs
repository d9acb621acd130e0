namespace ActorStore.Backup.Targets;

/// <summary>An object in a backup target: its key, size and the target's time of its last put.</summary>
public sealed record TargetObject(string Key, long Size, DateTimeOffset Modified);
