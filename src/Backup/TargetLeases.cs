using ActorStore.Backup.Records;
using ActorStore.Backup.Targets;

namespace ActorStore.Backup;

/// <summary>
/// Keeps a collection of unreferenced blocks from deleting a block that a running backup or restore relies on.
/// Each side first puts its own marker, then looks for the other's — a backup or restore its lease, a collection
/// its lock — so of any two that overlap at least one sees the other: a collection that finds a fresh lease
/// deletes nothing, and a backup that finds a collection running waits for it to end before it looks at any block.
/// Freshness is judged by the target's own clock (an object's modification time), so nodes' clocks do not matter.
/// A collection that deletes blocks first changes the collections marker; a backup that finds it changed when it
/// commits was stalled past its lease and fails rather than name a block that may be gone.
/// </summary>
public sealed class TargetLeases(IBackupTarget target, TimeSpan leaseTime)
{
    private const string CollectorLockPrefix = "locks/collector-";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    public TimeSpan LeaseTime { get; } = leaseTime;

    private IBackupTarget Target => target;

    /// <summary>Puts the lease, waits for any collection running to end, and keeps the lease fresh until disposed.</summary>
    public async Task<Held> AcquireAsync(TargetLease lease, CancellationToken cancel)
    {
        var key = StoreLayout.Lease(lease.Id);
        var bytes = RecordJson.Write(lease);
        await target.PutAsync(key, bytes, cancel).ConfigureAwait(false);
        var held = new Held(this, key, bytes);
        try
        {
            if (!await WaitForCollectionsAsync(key, bytes, cancel).ConfigureAwait(false))
                throw new BackupTargetException($"backup target {target.Describe}: the lease '{key}' just put is not there; the target does not keep what is written to it");
            held.Start(await MarkerAsync(cancel).ConfigureAwait(false));
            return held;
        }
        catch
        {
            await held.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starts a collection: puts its lock, then checks that no backup or restore holds a fresh lease. Returns the
    /// lock's key and the target's time when it was put, or null and who is running (the collection must not delete
    /// anything now).
    /// </summary>
    public async Task<(string? Lock, DateTimeOffset Now, string Running)> LockForCollectionAsync(string holder, CancellationToken cancel)
    {
        var key = $"{CollectorLockPrefix}{Guid.NewGuid():N}.json";
        await target.PutAsync(key, CollectorLock(holder), cancel).ConfigureAwait(false);
        var running = new List<string>();
        DateTimeOffset now;
        try
        {
            now = await NowAsync(key, cancel).ConfigureAwait(false);
            foreach (var lease in await target.ListAsync(StoreLayout.Leases, cancel).ConfigureAwait(false))
            {
                if (lease.Modified > now - LeaseTime)
                {
                    running.Add(await DescribeAsync(lease.Key, cancel).ConfigureAwait(false));
                    continue;
                }
                await target.DeleteAsync(lease.Key, cancel).ConfigureAwait(false); // its holder died: nothing relies on it
            }
        }
        catch
        {
            await UnlockAsync(key).ConfigureAwait(false);
            throw;
        }
        if (running.Count == 0) return (key, now, "");
        await UnlockAsync(key).ConfigureAwait(false);
        return (null, now, string.Join("; ", running));
    }

    /// <summary>
    /// Keeps a collection's lock fresh while it runs (a collection that outlasted the lease time would otherwise let a
    /// waiting backup go ahead while it still deletes); dispose to stop.
    /// </summary>
    public IAsyncDisposable KeepLocked(string key, string holder)
    {
        var stop = new CancellationTokenSource();
        var refresh = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(LeaseTime / 5, stop.Token).ConfigureAwait(false);
                    await target.PutAsync(key, CollectorLock(holder), stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (BackupTargetException)
                {
                    // Tried again at the next refresh.
                }
            }
        });
        return new Refresher(stop, refresh);
    }

    private sealed class Refresher(CancellationTokenSource stop, Task refresh) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await refresh.ConfigureAwait(false);
            stop.Dispose();
        }
    }

    private static byte[] CollectorLock(string holder) => RecordJson.Write(new { holder, at = DateTimeOffset.UtcNow });

    /// <summary>Marks that a collection is about to delete blocks: backups stalled past their lease see it when they commit.</summary>
    public Task MarkCollectionAsync(CancellationToken cancel) =>
        target.PutAsync(StoreLayout.Collections, RecordJson.Write(new { run = Guid.NewGuid() }), cancel);

    public async Task UnlockAsync(string key)
    {
        try
        {
            await target.DeleteAsync(key).ConfigureAwait(false);
        }
        catch (BackupTargetException)
        {
            // A lock left behind goes stale within the lease time and is ignored then.
        }
    }

    /// <summary>Waits while a collection runs; false when the lease was deleted meanwhile (a collection found it stale).</summary>
    private async Task<bool> WaitForCollectionsAsync(string leaseKey, byte[] lease, CancellationToken cancel)
    {
        while (true)
        {
            if ((await target.StatAsync(leaseKey, cancel).ConfigureAwait(false))?.Modified is not { } now) return false;
            var locks = await target.ListAsync(CollectorLockPrefix, cancel).ConfigureAwait(false);
            if (!locks.Any(l => l.Modified > now - LeaseTime)) return true;
            await Task.Delay(Poll, cancel).ConfigureAwait(false);
            await target.PutAsync(leaseKey, lease, cancel).ConfigureAwait(false); // fresh while it waits
        }
    }

    private async Task<DateTimeOffset> NowAsync(string key, CancellationToken cancel) =>
        (await target.StatAsync(key, cancel).ConfigureAwait(false))?.Modified
        ?? throw new BackupTargetException($"backup target {target.Describe}: the lock '{key}' just put is not there; the target does not keep what is written to it");

    private async Task<string> MarkerAsync(CancellationToken cancel)
    {
        using var bytes = await target.GetAsync(StoreLayout.Collections, cancel).ConfigureAwait(false);
        return bytes is null ? "" : Convert.ToBase64String(bytes.Span);
    }

    private async Task<string> DescribeAsync(string key, CancellationToken cancel)
    {
        using var bytes = await target.GetAsync(key, cancel).ConfigureAwait(false);
        if (bytes is null) return key;
        var lease = RecordJson.Read<TargetLease>(bytes, key);
        return $"{lease.Kind} {lease.Backup} of volume {lease.Volume} on node {lease.Holder}";
    }

    /// <summary>A lease held: refreshed in the background; <see cref="ConfirmAsync"/> before a commit; disposing deletes it.</summary>
    public sealed class Held : IAsyncDisposable
    {
        private readonly TargetLeases _leases;
        private readonly string _key;
        private readonly byte[] _bytes;
        private readonly CancellationTokenSource _stop = new();
        private string _marker = "";
        private Task _refresh = Task.CompletedTask;

        internal Held(TargetLeases leases, string key, byte[] bytes)
        {
            _leases = leases;
            _key = key;
            _bytes = bytes;
        }

        internal void Start(string marker)
        {
            _marker = marker;
            _refresh = RefreshAsync();
        }

        /// <summary>Refreshes the lease, waits out a collection, and fails if one deleted blocks while this lease was stale.</summary>
        public async Task ConfirmAsync(CancellationToken cancel)
        {
            await _leases.Target.PutAsync(_key, _bytes, cancel).ConfigureAwait(false);
            if (!await _leases.WaitForCollectionsAsync(_key, _bytes, cancel).ConfigureAwait(false)
                || await _leases.MarkerAsync(cancel).ConfigureAwait(false) != _marker)
                throw new BackupTargetException(
                    $"a cleanup of unreferenced blocks ran on {_leases.Target.Describe} while this work was stalled for longer than its lease ({_leases.LeaseTime.TotalSeconds:0} s); blocks it relied on may be gone, so it stops here: run it again");
        }

        private async Task RefreshAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(_leases.LeaseTime / 5, _stop.Token).ConfigureAwait(false);
                    await _leases.Target.PutAsync(_key, _bytes, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (BackupTargetException)
                {
                    // The next refresh tries again; a lease that went stale meanwhile is caught by ConfirmAsync.
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _refresh.ConfigureAwait(false);
            _stop.Dispose();
            try
            {
                await _leases.Target.DeleteAsync(_key).ConfigureAwait(false);
            }
            catch (BackupTargetException)
            {
                // A lease left behind goes stale and the next collection deletes it.
            }
        }
    }
}
