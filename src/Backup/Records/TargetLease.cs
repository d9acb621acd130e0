namespace ActorStore.Backup.Records;

/// <summary>
/// A backup or restore running against the target (kind, volume, backup, the node doing it). While its lease is
/// fresh — put again within <see cref="BackupStore.LeaseTime"/> — no collection deletes blocks, which it may rely on.
/// </summary>
public sealed record TargetLease(string Id, string Kind, string Volume, string Backup, string Holder, DateTimeOffset Started);
