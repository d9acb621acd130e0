namespace ActorStore.Backup;

/// <summary>
/// Deletes the blocks that no backup record names (a deleted backup's, a failed backup's uploads), and what killed
/// writers left hidden (older than a lease: no live writer's), under a collection lock and only while no backup or
/// restore holds a fresh lease (<see cref="TargetLeases"/>).
/// </summary>
internal sealed class BlockCollector(BackupStore store)
{
    public async Task<CollectResult> RunAsync(string holder, CancellationToken cancel)
    {
        var (lockKey, now, running) = await store.Leases.LockForCollectionAsync(holder, cancel).ConfigureAwait(false);
        if (lockKey is null) return new CollectResult(0, 0, $"deferred while these run: {running}; the next backup delete or cleanup collects");
        await using var locked = store.Leases.KeepLocked(lockKey, holder);
        try
        {
            // Judged by the target's clock (the time of the lock just put), as leases are.
            var swept = await store.Target.SweepAsync(now - store.Leases.LeaseTime, cancel).ConfigureAwait(false);
            // Every backup record there is, also one whose volume record was never written (a backup that died just after its record).
            var referenced = new HashSet<string>(StringComparer.Ordinal);
            foreach (var record in await store.ListAllBackupsAsync(cancel).ConfigureAwait(false))
                foreach (var block in record.Blocks) referenced.Add(block.Hash);
            var garbage = (await store.Target.ListAsync(StoreLayout.Blocks, cancel).ConfigureAwait(false))
                .Where(o => StoreLayout.HashOf(o.Key) is { } h && !referenced.Contains(h)).ToArray();
            if (garbage.Length == 0)
            {
                if (swept.Objects > 0) await store.Target.SyncAsync(cancel).ConfigureAwait(false);
                return new CollectResult(swept.Objects, swept.Bytes, null);
            }
            await store.Leases.MarkCollectionAsync(cancel).ConfigureAwait(false);
            await Parallel.ForEachAsync(garbage, new ParallelOptions { MaxDegreeOfParallelism = store.Options.Parallelism, CancellationToken = cancel },
                async (o, ct) => await store.Target.DeleteAsync(o.Key, ct).ConfigureAwait(false)).ConfigureAwait(false);
            await store.Target.SyncAsync(cancel).ConfigureAwait(false);
            return new CollectResult(garbage.Length + swept.Objects, garbage.Sum(o => o.Size) + swept.Bytes, null);
        }
        finally
        {
            await store.Leases.UnlockAsync(lockKey).ConfigureAwait(false);
        }
    }
}
