namespace ActorStore.Backup.Targets;

/// <summary>
/// Where backups live: a flat key space of whole objects (a directory tree, or an S3 bucket under a prefix).
/// A put is atomic — a reader sees the old object, the new one, or none, never part of one — so a crash or a lost
/// connection mid-put leaves the target as it was. Keys use '/' and the characters of volume names and hex hashes.
/// Failures to reach the target throw <see cref="BackupTargetException"/>.
/// </summary>
public interface IBackupTarget : IDisposable
{
    /// <summary>The target as an operator names it, without credentials.</summary>
    string Describe { get; }

    Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancel = default);

    /// <summary>
    /// Puts an object that needs to be visible and durable only after the next <see cref="SyncAsync"/>: a directory target
    /// writes it under a hidden name without an fsync, and the sync makes the whole batch durable at once before it names
    /// them; an S3 target puts it at once. For blocks, which no record names before that sync. Staged objects not yet
    /// synced are dropped when the target is disposed.
    /// </summary>
    Task StageAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancel = default);

    /// <summary>The object's bytes, or null when there is none.</summary>
    Task<PooledBytes?> GetAsync(string key, CancellationToken cancel = default);

    /// <summary>The object's size and the target's own time of its last put, or null when there is none.</summary>
    Task<TargetObject?> StatAsync(string key, CancellationToken cancel = default);

    /// <summary>Every object whose key starts with <paramref name="prefix"/>, in no particular order.</summary>
    Task<IReadOnlyList<TargetObject>> ListAsync(string prefix, CancellationToken cancel = default);

    /// <summary>Deletes the object; none there is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancel = default);

    /// <summary>
    /// Makes every put and stage so far durable and visible (a directory: one sync of its file system for the staged
    /// objects, their names, and an fsync of the folders touched): called before a record that refers to those objects is
    /// written. A no-op where each put is durable when it returns.
    /// </summary>
    Task SyncAsync(CancellationToken cancel = default);

    /// <summary>
    /// Deletes what writers that died left where no listing shows it (a directory target's hidden staged and temporary
    /// files) if written before <paramref name="before"/>; how many objects and bytes. Called by a collection, which holds
    /// the target while no backup runs. Nothing to do where every put is whole (S3).
    /// </summary>
    Task<(int Objects, long Bytes)> SweepAsync(DateTimeOffset before, CancellationToken cancel = default) => Task.FromResult((0, 0L));
}
