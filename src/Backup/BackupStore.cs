using ActorStore.Backup.Records;
using ActorStore.Backup.Targets;

namespace ActorStore.Backup;

/// <summary>
/// A backup target and what is in it (DESIGN §7): volumes, their backups, content-addressed blocks shared by all.
/// Backups, restores and deletes may run at once from any number of nodes: records are put only after the blocks
/// they name, and deletes collect blocks only when no backup or restore relies on them (<see cref="TargetLeases"/>).
/// </summary>
public sealed class BackupStore(IBackupTarget target, BackupStoreOptions? options = null)
{
    public BackupStoreOptions Options { get; } = options ?? new BackupStoreOptions();

    public IBackupTarget Target { get; } = target;

    internal TargetLeases Leases { get; } = new(target, (options ?? new BackupStoreOptions()).LeaseTime);

    public Task<BackupRecord> BackupAsync(BackupRequest request, IBackupSource source, Action<TransferProgress>? progress = null, CancellationToken cancel = default) =>
        new BackupWriter(this).RunAsync(request, source, progress, cancel);

    /// <summary>
    /// Writes backup <paramref name="id"/> of <paramref name="volume"/> into <paramref name="sink"/>. With <paramref name="applied"/>
    /// (a DR volume that holds that backup already) only the blocks that differ are written, and blocks gone are zeroed.
    /// </summary>
    public Task<BackupRecord> RestoreAsync(string volume, string id, IRestoreSink sink, BackupRecord? applied = null,
        string holder = "", Action<TransferProgress>? progress = null, CancellationToken cancel = default) =>
        new BackupRestorer(this).RunAsync(volume, id, sink, applied, holder, progress, cancel);

    /// <summary>Deletes a backup's record, then collects the blocks no backup references any more (unless a backup or restore runs: then the next collection does).</summary>
    public async Task<CollectResult> DeleteBackupAsync(string volume, string id, string holder, CancellationToken cancel = default)
    {
        if (await GetBackupAsync(volume, id, cancel).ConfigureAwait(false) is null)
            throw new KeyNotFoundException($"no backup '{id}' of volume '{volume}' in {Target.Describe}");
        await Target.DeleteAsync(StoreLayout.Backup(volume, id), cancel).ConfigureAwait(false);
        var left = await ListBackupsAsync(volume, cancel).ConfigureAwait(false);
        if (await GetVolumeAsync(volume, cancel).ConfigureAwait(false) is { } record && record.LastBackup == id)
        {
            var last = left.MaxBy(b => b.Completed);
            await PutVolumeAsync(record with { LastBackup = last?.Id, LastBackupAt = last?.Completed }, cancel).ConfigureAwait(false);
        }
        return await new BlockCollector(this).RunAsync(holder, cancel).ConfigureAwait(false);
    }

    /// <summary>Deletes the blocks that no backup references, unless a backup or restore runs (the result says which).</summary>
    public Task<CollectResult> CollectAsync(string holder, CancellationToken cancel = default) => new BlockCollector(this).RunAsync(holder, cancel);

    public async Task<IReadOnlyList<BackupVolumeRecord>> ListVolumesAsync(CancellationToken cancel = default)
    {
        var found = new List<BackupVolumeRecord>();
        foreach (var o in await Target.ListAsync(StoreLayout.Volumes, cancel).ConfigureAwait(false))
        {
            if (!o.Key.EndsWith("/volume.json", StringComparison.Ordinal)) continue;
            if (await ReadAsync<BackupVolumeRecord>(o.Key, cancel).ConfigureAwait(false) is { } v) found.Add(v);
        }
        return found.OrderBy(v => v.Name, StringComparer.Ordinal).ToArray();
    }

    public Task<BackupVolumeRecord?> GetVolumeAsync(string volume, CancellationToken cancel = default) =>
        ReadAsync<BackupVolumeRecord>(StoreLayout.Volume(volume), cancel);

    /// <summary>
    /// The id of the volume's newest backup: the one its volume record names while that backup's record is there, else the
    /// newest left (a delete interrupted between its two writes leaves the volume record naming a deleted backup).
    /// </summary>
    public async Task<string?> LastBackupAsync(string volume, CancellationToken cancel = default)
    {
        if ((await GetVolumeAsync(volume, cancel).ConfigureAwait(false))?.LastBackup is { } named
            && await Target.StatAsync(StoreLayout.Backup(volume, named), cancel).ConfigureAwait(false) is not null)
            return named;
        return (await ListBackupsAsync(volume, cancel).ConfigureAwait(false)).LastOrDefault()?.Id;
    }

    /// <summary>The volume's completed backups, oldest first.</summary>
    public async Task<IReadOnlyList<BackupRecord>> ListBackupsAsync(string volume, CancellationToken cancel = default)
    {
        var found = new List<BackupRecord>();
        foreach (var o in await Target.ListAsync(StoreLayout.Backups(volume), cancel).ConfigureAwait(false))
            if (await ReadAsync<BackupRecord>(o.Key, cancel).ConfigureAwait(false) is { } b) found.Add(b);
        return found.OrderBy(b => b.Completed).ThenBy(b => b.Id, StringComparer.Ordinal).ToArray();
    }

    /// <summary>Every backup record in the target, found by its key (not through the volume records).</summary>
    internal async Task<IReadOnlyList<BackupRecord>> ListAllBackupsAsync(CancellationToken cancel)
    {
        var found = new List<BackupRecord>();
        foreach (var o in await Target.ListAsync(StoreLayout.Volumes, cancel).ConfigureAwait(false))
            if (o.Key.Contains("/backups/", StringComparison.Ordinal) && o.Key.EndsWith(".json", StringComparison.Ordinal)
                && await ReadAsync<BackupRecord>(o.Key, cancel).ConfigureAwait(false) is { } record)
                found.Add(record);
        return found;
    }

    /// <summary>A backup by its id alone (ids are unique in a target), whichever volume it is of.</summary>
    public async Task<BackupRecord?> FindBackupAsync(string id, CancellationToken cancel = default)
    {
        if (!StoreLayout.IsName(id)) return null;
        var suffix = $"/backups/{id}.json";
        foreach (var o in await Target.ListAsync(StoreLayout.Volumes, cancel).ConfigureAwait(false))
            if (o.Key.EndsWith(suffix, StringComparison.Ordinal)) return await ReadAsync<BackupRecord>(o.Key, cancel).ConfigureAwait(false);
        return null;
    }

    public Task<BackupRecord?> GetBackupAsync(string volume, string id, CancellationToken cancel = default) =>
        StoreLayout.IsName(id) ? ReadAsync<BackupRecord>(StoreLayout.Backup(volume, id), cancel) : Task.FromResult<BackupRecord?>(null);

    internal Task PutVolumeAsync(BackupVolumeRecord record, CancellationToken cancel) =>
        Target.PutAsync(StoreLayout.Volume(record.Name), RecordJson.Write(record), cancel);

    private async Task<T?> ReadAsync<T>(string key, CancellationToken cancel) where T : class
    {
        using var bytes = await Target.GetAsync(key, cancel).ConfigureAwait(false);
        return bytes is null ? null : RecordJson.Read<T>(bytes, key);
    }
}
