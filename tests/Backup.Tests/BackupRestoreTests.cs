using ActorStore.Backup.Records;
using ActorStore.Backup.Targets;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.Backup.Tests.TestVolume;

namespace ActorStore.Backup.Tests;

/// <summary>Backups of a replica's snapshots to a real directory and to s3rver, restored exactly; incremental and deduplicated.</summary>
public sealed class BackupRestoreTests(Targets targets, ITestOutputHelper output) : IClassFixture<Targets>
{
    /// <summary>Five snapshots with data, overwrites, zeroes over data and holes, on a size that ends in a partial block.</summary>
    private static TestVolume FiveSnapshots()
    {
        var v = new TestVolume(41 * Mib + 8192);
        for (var i = 0; i < 5; i++)
        {
            v.Write(i * 7 * Mib + 4096 * i, 3 * Mib + 4096, seed: i);
            if (i > 0) Assert.Equal(Blocks.ReplicaStatus.Ok, v.Replica.WriteZeroes((i - 1) * 7 * Mib, 64 * 1024)); // zeros over data
            if (i == 4) v.Write(41 * Mib, 8192, seed: 99); // the partial last block
            v.Snapshot($"s{i}");
        }
        return v;
    }

    [Theory]
    [InlineData("dir")]
    [InlineData("s3")]
    public async Task Each_of_five_snapshots_backed_up_incrementally_restores_sha256_equal(string kind)
    {
        using var target = await targets.NewAsync(kind);
        var store = new BackupStore(target);
        using var volume = FiveSnapshots();
        var records = new List<BackupRecord>();
        for (var i = 0; i < 5; i++)
        {
            var snapshot = $"s{i}";
            var record = await store.BackupAsync(volume.Request(snapshot, records.LastOrDefault()), volume.Source(snapshot));
            output.WriteLine($"{snapshot}: {record.Blocks.Count} blocks listed, {record.Stats}");
            records.Add(record);
        }
        Assert.Equal(records.Select(r => r.Id), (await store.ListBackupsAsync(volume.Name)).Select(b => b.Id));
        Assert.Equal(records[^1].Id, (await store.GetVolumeAsync(volume.Name))!.LastBackup);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(volume.Sha256($"s{i}"), await volume.RestoredSha256Async(store, records[i].Id));
        }
        Assert.True(records[0].Blocks.Count < (volume.Size + 2 * Mib - 1) / (2 * Mib), "holes are not listed");
    }

    [Fact]
    public async Task A_second_backup_after_one_percent_changed_uploads_about_one_percent_of_the_blocks()
    {
        using var target = await targets.NewAsync("dir");
        var store = new BackupStore(target);
        using var volume = new TestVolume(200 * Mib);
        for (var i = 0; i < 10; i++) volume.Write(i * 20L * Mib, 20 * Mib, seed: i);
        volume.Snapshot("full");
        var first = await store.BackupAsync(volume.Request("full"), volume.Source("full"));
        volume.Write(100 * Mib, 2 * Mib, seed: 42); // 1% of the volume
        volume.Snapshot("next");
        var second = await store.BackupAsync(volume.Request("next", first), volume.Source("next"));

        output.WriteLine($"first: {first.Stats}; second: {second.Stats}: {100.0 * second.Stats.UploadedBlocks / first.Stats.UploadedBlocks:0.0}% of the blocks uploaded");
        Assert.Equal(100, first.Stats.UploadedBlocks);
        Assert.Equal(1, second.Stats.ReadBlocks);
        Assert.Equal(1, second.Stats.UploadedBlocks);
        Assert.Equal(100, second.Blocks.Count);
        Assert.Equal(volume.Sha256("next"), await volume.RestoredSha256Async(store, second.Id));
    }

    [Fact]
    public async Task The_last_backup_is_the_newest_left_when_the_volume_record_names_one_deleted()
    {
        using var target = await targets.NewAsync("dir");
        var store = new BackupStore(target);
        using var volume = new TestVolume(8 * Mib);
        Assert.Null(await store.LastBackupAsync(volume.Name));
        volume.Write(0, 2 * Mib, seed: 1);
        volume.Snapshot("one");
        var first = await store.BackupAsync(volume.Request("one"), volume.Source("one"));
        volume.Write(2 * Mib, 2 * Mib, seed: 2);
        volume.Snapshot("two");
        var second = await store.BackupAsync(volume.Request("two", first), volume.Source("two"));
        Assert.Equal(second.Id, await store.LastBackupAsync(volume.Name));

        // A delete interrupted after the backup's record went and before the volume record was written again.
        await target.DeleteAsync(StoreLayout.Backup(volume.Name, second.Id));
        Assert.Equal(second.Id, (await store.GetVolumeAsync(volume.Name))!.LastBackup);
        Assert.Equal(first.Id, await store.LastBackupAsync(volume.Name));
    }

    [Fact]
    public async Task Two_volumes_with_equal_data_store_each_block_once()
    {
        using var target = await targets.NewAsync("dir");
        var store = new BackupStore(target);
        using var a = new TestVolume(16 * Mib, "a");
        using var b = new TestVolume(16 * Mib, "b");
        foreach (var v in new[] { a, b })
        {
            v.Write(0, 10 * Mib, seed: 7);
            v.Snapshot("s");
        }
        var first = await store.BackupAsync(a.Request("s"), a.Source("s"));
        var second = await store.BackupAsync(b.Request("s"), b.Source("s"));
        Assert.Equal(5, first.Stats.UploadedBlocks);
        Assert.Equal(0, second.Stats.UploadedBlocks);
        Assert.Equal(5, second.Stats.ReusedBlocks);
        Assert.Equal(5, (await target.ListAsync(StoreLayout.Blocks)).Count);
        Assert.Equal(["a", "b"], (await store.ListVolumesAsync()).Select(v => v.Name));
    }

    [Theory]
    [InlineData("dir")]
    [InlineData("s3")]
    public async Task A_corrupted_block_fails_the_restore_naming_it_and_nothing_wrong_is_written(string kind)
    {
        using var target = await targets.NewAsync(kind);
        var store = new BackupStore(target);
        using var volume = new TestVolume(8 * Mib);
        volume.Write(0, 8 * Mib, seed: 3);
        volume.Snapshot("s");
        var record = await store.BackupAsync(volume.Request("s"), volume.Source("s"));
        var damaged = record.Blocks[2];
        using (var stored = await target.GetAsync(StoreLayout.Block(damaged.Hash)))
        {
            var bytes = stored!.Span.ToArray();
            bytes[^100] ^= 0x5a;
            await target.PutAsync(StoreLayout.Block(damaged.Hash), bytes);
        }
        using var restored = new TestVolume(volume.Size, "restored");
        var sink = new ReplicaSink(restored.Replica);
        var failure = await Assert.ThrowsAsync<BackupCorruptException>(() => store.RestoreAsync(volume.Name, record.Id, sink));
        output.WriteLine(failure.Message);
        Assert.Contains(damaged.Hash, failure.Message);
        Assert.Contains($"volume offset {damaged.Index * 2 * Mib}", failure.Message);
        Assert.DoesNotContain(damaged.Index * 2 * Mib, sink.Written);
    }

    [Fact]
    public async Task A_backup_that_fails_midway_leaves_no_record_and_the_next_one_reuses_its_uploads()
    {
        using var target = await targets.NewAsync("dir");
        var store = new BackupStore(target, new BackupStoreOptions { Parallelism = 1 });
        using var volume = new TestVolume(20 * Mib);
        volume.Write(0, 20 * Mib, seed: 5);
        volume.Snapshot("s");
        var failing = new FailingSource(volume.Source("s"), failAt: 6 * Mib);
        var failure = await Assert.ThrowsAsync<IOException>(() => store.BackupAsync(volume.Request("s"), failing));
        output.WriteLine(failure.Message);
        Assert.Empty(await store.ListBackupsAsync(volume.Name));
        Assert.Empty(await target.ListAsync(StoreLayout.Leases));

        var record = await store.BackupAsync(volume.Request("s"), volume.Source("s"));
        Assert.Equal(3, record.Stats.ReusedBlocks); // the three blocks before the failure were uploaded already
        Assert.Equal(7, record.Stats.UploadedBlocks);
        Assert.Equal(volume.Sha256("s"), await volume.RestoredSha256Async(store, record.Id));
    }

    [Fact]
    public async Task Restoring_onto_the_previous_backup_writes_only_changed_blocks_and_zeroes_blocks_gone()
    {
        using var target = await targets.NewAsync("dir");
        var store = new BackupStore(target);
        using var volume = new TestVolume(16 * Mib);
        volume.Write(0, 16 * Mib, seed: 1);
        volume.Snapshot("a");
        var a = await store.BackupAsync(volume.Request("a"), volume.Source("a"));
        volume.Write(4 * Mib, 1 * Mib, seed: 2);
        Assert.Equal(Blocks.ReplicaStatus.Ok, volume.Replica.WriteZeroes(10 * Mib, 2 * Mib)); // a block of zeros: a hole now
        volume.Snapshot("b");
        var b = await store.BackupAsync(volume.Request("b", a), volume.Source("b"));

        using var standby = new TestVolume(volume.Size, "standby");
        await store.RestoreAsync(volume.Name, a.Id, new ReplicaSink(standby.Replica));
        var sink = new ReplicaSink(standby.Replica);
        await store.RestoreAsync(volume.Name, b.Id, sink, applied: a);
        Assert.Equal([4L * Mib], sink.Written);
        Assert.Equal(volume.Sha256("b"), standby.Sha256());
    }

    [Fact]
    public async Task A_backup_is_incremental_only_from_the_very_snapshot_of_the_last_one()
    {
        using var target = await targets.NewAsync("dir");
        var store = new BackupStore(target);
        using var volume = new TestVolume(8 * Mib);
        volume.Write(0, 2 * Mib, seed: 1);
        volume.Snapshot("s1");
        var first = await store.BackupAsync(volume.Request("s1"), volume.Source("s1"));
        volume.Snapshot("s2");
        var labels = new Dictionary<string, string>();
        Assert.Equal(first.Id, SnapshotSource.Plan(volume.Replica, volume.Name, volume.Replica.Identity.VolumeId, "s2", first, "n", labels, 2 * Mib, out _)!.Base?.Id);
        // Another volume under the same name (deleted and created again): its 's1' is not the one backed up.
        Assert.Null(SnapshotSource.Plan(volume.Replica, volume.Name, Guid.NewGuid(), "s2", first, "n", labels, 2 * Mib, out _)!.Base);
        // 's1' deleted and taken again under the same name: not the same snapshot either.
        Assert.Equal(Blocks.ReplicaStatus.Ok, volume.Replica.DeleteSnapshot("s1"));
        Assert.Equal(Blocks.ReplicaStatus.Ok, volume.Replica.Purge());
        volume.Write(4 * Mib, 4096, seed: 2);
        volume.Snapshot("s1");
        volume.Snapshot("s3");
        var plan = SnapshotSource.Plan(volume.Replica, volume.Name, volume.Replica.Identity.VolumeId, "s3", first, "n", labels, 2 * Mib, out _)!;
        Assert.Null(plan.Base);
        Assert.Equal([0L, 2L], plan.ReadBlocks);
        Assert.Null(SnapshotSource.Plan(volume.Replica, volume.Name, volume.Replica.Identity.VolumeId, "nope", null, "n", labels, 2 * Mib, out var why));
        Assert.Contains("no snapshot 'nope'", why);
    }

    [Fact]
    public async Task A_volume_over_2_GiB_backs_up_and_restores()
    {
        using var target = await targets.NewAsync("dir");
        var store = new BackupStore(target);
        using var volume = new TestVolume(3L << 30);
        volume.Write((3L << 30) - 2 * Mib, Mib, seed: 4); // the last block; the rest reads as holes
        volume.Snapshot("s");
        var every = Enumerable.Range(0, 3 << 9).Select(i => (long)i).ToArray(); // every block read: over 2^31 bytes in all
        var record = await store.BackupAsync(volume.Request("s") with { ReadBlocks = every }, volume.Source("s"));
        Assert.Equal(1536, record.Stats.ReadBlocks);
        var block = Assert.Single(record.Blocks);
        Assert.Equal(1535, block.Index);
        using var restored = new TestVolume(volume.Size, "restored");
        await store.RestoreAsync(volume.Name, record.Id, new ReplicaSink(restored.Replica));
        var back = new byte[Mib];
        Assert.Equal(Blocks.ReplicaStatus.Ok, restored.Replica.Read((3L << 30) - 2 * Mib, back));
        Assert.Equal(Pattern(Mib, 4), back);
    }

    [Theory]
    [InlineData("dir")]
    [InlineData("s3")]
    public async Task A_truncated_block_no_record_names_is_written_again_not_trusted(string kind)
    {
        using var target = await targets.NewAsync(kind);
        var store = new BackupStore(target);
        using var volume = new TestVolume(8 * Mib);
        volume.Write(0, 8 * Mib, seed: 6);
        volume.Snapshot("s");
        var first = await store.BackupAsync(volume.Request("s"), volume.Source("s"));
        // What a writer killed mid-put can leave on a server whose put is not atomic: part of the object, named by no record.
        await store.DeleteBackupAsync(volume.Name, first.Id, "test"); // collects the blocks
        var cut = first.Blocks[1];
        using (var codec = new BlockCodec(Compression.Lz4))
        {
            var plain = new byte[2 * Mib];
            Assert.Equal(Blocks.ReplicaStatus.Ok, volume.Replica.Read(Mib * 2, plain));
            using var stored = codec.Encode(plain);
            await target.PutAsync(StoreLayout.Block(cut.Hash), stored.Memory[..(stored.Length / 2)]);
        }
        var second = await store.BackupAsync(volume.Request("s"), volume.Source("s"));
        Assert.Equal(4, second.Stats.UploadedBlocks); // the truncated one too
        Assert.Equal(volume.Sha256("s"), await volume.RestoredSha256Async(store, second.Id));
    }

    /// <summary>Reads through until the offset, then fails as a lost replica would.</summary>
    private sealed class FailingSource(IBackupSource inner, long failAt) : IBackupSource
    {
        public ValueTask ReadAsync(long offset, Memory<byte> into, CancellationToken cancel) =>
            offset >= failAt ? throw new IOException($"the replica went away at offset {offset}") : inner.ReadAsync(offset, into, cancel);
    }
}
