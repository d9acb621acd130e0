using ActorStore.Backup.Records;
using ActorStore.Backup.Targets;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.Backup.Tests.TestVolume;

namespace ActorStore.Backup.Tests;

/// <summary>Deleting backups while others run: nothing a running backup or restore relies on is ever deleted.</summary>
public sealed class CollectionTests(Targets targets, ITestOutputHelper output) : IClassFixture<Targets>
{
    [Theory]
    [InlineData("dir")]
    [InlineData("s3")]
    public async Task A_backup_deleted_while_another_runs_leaves_both_correct_whatever_the_interleaving(string kind)
    {
        for (var seed = 0; seed < 8; seed++)
        {
            output.WriteLine($"seed {seed}");
            var random = new Random(seed);
            using var target = await targets.NewAsync(kind);
            var store = new BackupStore(target);
            using var volume = new TestVolume(16 * Mib);
            for (var b = 0; b < 8; b++) if (random.Next(4) > 0) volume.Write(b * 2L * Mib, 2 * Mib, seed * 100 + b);
            volume.Snapshot("s1");
            var first = await store.BackupAsync(volume.Request("s1"), volume.Source("s1"));
            for (var b = 0; b < 8; b++) if (b == 0 || random.Next(3) == 0) volume.Write(b * 2L * Mib + 4096 * random.Next(512), 4096, seed * 100 + 50 + b);
            volume.Snapshot("s2");

            var incremental = random.Next(2) == 0;
            var request = volume.Request("s2", incremental ? first : null);
            var pause = new PausingSource(volume.Source("s2"), pauseAt: request.ReadBlocks[random.Next(request.ReadBlocks.Count)] * 2L * Mib);
            var running = store.BackupAsync(request, pause);
            Assert.True(await pause.Paused.WaitAsync(TimeSpan.FromSeconds(30)));
            var deleted = await store.DeleteBackupAsync(volume.Name, first.Id, "test-node");
            Assert.NotNull(deleted.Deferred); // the running backup holds a lease
            Assert.Contains("backup", deleted.Deferred);
            pause.Resume.SetResult();
            var second = await running;

            var collected = await store.CollectAsync("test-node");
            Assert.Null(collected.Deferred);
            var stored = (await target.ListAsync(StoreLayout.Blocks)).Select(o => StoreLayout.HashOf(o.Key)).Order().ToArray();
            Assert.Equal(second.Blocks.Select(b => b.Hash).Distinct().Order().ToArray(), stored); // garbage gone, nothing needed gone
            Assert.Equal(volume.Sha256("s2"), await volume.RestoredSha256Async(store, second.Id));
            Assert.Equal([second.Id], (await store.ListBackupsAsync(volume.Name)).Select(b => b.Id));
        }
    }

    [Fact]
    public async Task A_restore_running_while_its_backup_is_deleted_still_restores_exactly()
    {
        using var target = await targets.NewAsync("dir");
        var store = new BackupStore(target, new BackupStoreOptions { Parallelism = 1 });
        using var volume = new TestVolume(8 * Mib);
        volume.Write(0, 8 * Mib, seed: 1);
        volume.Snapshot("s");
        var record = await store.BackupAsync(volume.Request("s"), volume.Source("s"));
        using var restored = new TestVolume(volume.Size, "restored");
        var sink = new PausingSink(new ReplicaSink(restored.Replica));
        var running = store.RestoreAsync(volume.Name, record.Id, sink);
        Assert.True(await sink.Paused.WaitAsync(TimeSpan.FromSeconds(30)));
        var deleted = await store.DeleteBackupAsync(volume.Name, record.Id, "test-node");
        Assert.NotNull(deleted.Deferred);
        sink.Resume.SetResult();
        await running;
        Assert.Equal(volume.Sha256("s"), restored.Sha256());
        Assert.Equal(4, (await store.CollectAsync("test-node")).DeletedBlocks);
    }

    [Fact]
    public async Task A_backup_stalled_past_its_lease_fails_at_commit_rather_than_name_blocks_a_collection_deleted()
    {
        using var inner = await targets.NewAsync("dir");
        var target = new StallingTarget(inner);
        var store = new BackupStore(target, new BackupStoreOptions { LeaseTime = TimeSpan.FromSeconds(1) });
        using var volume = new TestVolume(8 * Mib);
        volume.Write(0, 8 * Mib, seed: 1);
        volume.Snapshot("s1");
        var first = await store.BackupAsync(volume.Request("s1"), volume.Source("s1"));
        volume.Write(0, 4096, seed: 2);
        volume.Snapshot("s2");
        var pause = new PausingSource(volume.Source("s2"), pauseAt: 0);
        var running = store.BackupAsync(volume.Request("s2", first), pause);
        Assert.True(await pause.Paused.WaitAsync(TimeSpan.FromSeconds(30)));
        target.DropLeasePuts = true; // the backup's node freezes: its lease goes stale
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var deleted = await store.DeleteBackupAsync(volume.Name, first.Id, "test-node");
        Assert.Null(deleted.Deferred);
        Assert.Equal(4, deleted.DeletedBlocks); // including three the stalled backup takes from its base
        pause.Resume.SetResult();
        var failure = await Assert.ThrowsAsync<BackupTargetException>(() => running);
        output.WriteLine(failure.Message);
        Assert.Contains("run it again", failure.Message);
        Assert.Empty(await store.ListBackupsAsync(volume.Name));
    }

    [Fact]
    public async Task A_collection_deletes_the_leases_of_dead_holders_and_the_uploads_of_failed_backups()
    {
        using var target = await targets.NewAsync("dir");
        var store = new BackupStore(target, new BackupStoreOptions { LeaseTime = TimeSpan.FromSeconds(1) });
        await target.PutAsync(StoreLayout.Lease("dead"), RecordJson.Write(new TargetLease("dead", "backup", "v", "dead", "gone-node", DateTimeOffset.UtcNow)));
        await target.PutAsync(StoreLayout.Block(new string('a', 64)), new byte[] { 1, 2, 3 });
        Assert.NotNull((await store.CollectAsync("test-node")).Deferred); // the lease is fresh yet
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var collected = await store.CollectAsync("test-node");
        Assert.Null(collected.Deferred);
        Assert.Equal(1, collected.DeletedBlocks);
        Assert.Empty(await target.ListAsync(StoreLayout.Leases));
        Assert.Empty(await target.ListAsync("locks/collector-"));
    }

    /// <summary>Stops before reading <paramref name="pauseAt"/> until the test lets it go on.</summary>
    private sealed class PausingSource(IBackupSource inner, long pauseAt) : IBackupSource
    {
        public SemaphoreSlim Paused { get; } = new(0);
        public TaskCompletionSource Resume { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask ReadAsync(long offset, Memory<byte> into, CancellationToken cancel)
        {
            if (offset == pauseAt)
            {
                Paused.Release();
                await Resume.Task;
            }
            await inner.ReadAsync(offset, into, cancel);
        }
    }

    private sealed class PausingSink(IRestoreSink inner) : IRestoreSink
    {
        private int _writes;
        public SemaphoreSlim Paused { get; } = new(0);
        public TaskCompletionSource Resume { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancel)
        {
            if (Interlocked.Increment(ref _writes) == 2)
            {
                Paused.Release();
                await Resume.Task;
            }
            await inner.WriteAsync(offset, data, cancel);
        }

        public ValueTask ZeroAsync(long offset, long length, CancellationToken cancel) => inner.ZeroAsync(offset, length, cancel);
    }

    /// <summary>A target whose lease puts can be dropped, as when the node holding a lease freezes.</summary>
    private sealed class StallingTarget(IBackupTarget inner) : IBackupTarget
    {
        public volatile bool DropLeasePuts;

        public string Describe => inner.Describe;

        public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancel = default) =>
            DropLeasePuts && key.StartsWith(StoreLayout.Leases, StringComparison.Ordinal) ? Task.CompletedTask : inner.PutAsync(key, data, cancel);

        public Task StageAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancel = default) => inner.StageAsync(key, data, cancel);
        public Task<PooledBytes?> GetAsync(string key, CancellationToken cancel = default) => inner.GetAsync(key, cancel);
        public Task<TargetObject?> StatAsync(string key, CancellationToken cancel = default) => inner.StatAsync(key, cancel);
        public Task<IReadOnlyList<TargetObject>> ListAsync(string prefix, CancellationToken cancel = default) => inner.ListAsync(prefix, cancel);
        public Task DeleteAsync(string key, CancellationToken cancel = default) => inner.DeleteAsync(key, cancel);
        public Task SyncAsync(CancellationToken cancel = default) => inner.SyncAsync(cancel);
        public void Dispose() => inner.Dispose();
    }
}
