namespace ActorStore.Backup.Records;

/// <summary>A volume as the target knows it: its size at the last backup and which backup that was (for DR volumes and listings).</summary>
public sealed record BackupVolumeRecord(string Name, long Size, int BlockSize, DateTimeOffset Created, string? LastBackup, DateTimeOffset? LastBackupAt);
