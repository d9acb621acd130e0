using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>ENOSPC is its own status, keeps the replica healthy, and changes no data; once space is freed, work goes on.</summary>
public sealed class FullDiskTests
{
    [Fact]
    public void A_real_full_ext4_disk_answers_no_space_and_keeps_every_acknowledged_write()
    {
        using var disk = new LoopDisk(megabytes: 24);
        var dir = Path.Combine(disk.Path, "r");
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(LinuxFileSystem.Instance, dir, new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 1L << 30, out var r));
        using (r)
        {
            var chunk = new byte[1 << 20];
            var written = new List<(long Offset, byte Fill)>();
            ReplicaStatus status;
            for (var i = 0; ; i++)
            {
                chunk.AsSpan().Fill((byte)(i + 1));
                status = r!.Write((long)i << 20, chunk);
                if (status != ReplicaStatus.Ok) break;
                written.Add(((long)i << 20, (byte)(i + 1)));
            }
            Assert.Equal(ReplicaStatus.NoSpace, status);
            Assert.False(r.IsFailed);
            Assert.True(written.Count > 5);

            // Metadata operations on a full disk are refused the same way and leave no file behind.
            var before = Fingerprint.Of(LinuxFileSystem.Instance, dir, "dirty.log");
            var snap = r.Snapshot("on-full-disk");
            Assert.True(snap is ReplicaStatus.NoSpace or ReplicaStatus.Ok, $"snapshot on a full disk: {snap}");
            if (snap == ReplicaStatus.NoSpace) Assert.Equal(before, Fingerprint.Of(LinuxFileSystem.Instance, dir, "dirty.log"));

            // Everything acknowledged reads back; the failed write's range is either old or new, never torn across blocks.
            var back = new byte[1 << 20];
            foreach (var (offset, fill) in written)
            {
                Assert.Equal(ReplicaStatus.Ok, r.Read(offset, back));
                Assert.True(back.AsSpan().IndexOfAnyExcept(fill) < 0, $"MiB {offset >> 20} changed");
            }

            // Free space by trimming what only the head holds; writing works again.
            if (snap == ReplicaStatus.NoSpace)
            {
                Assert.Equal(ReplicaStatus.Ok, r.Trim(0, 8 << 20));
                Assert.Equal(ReplicaStatus.Ok, r.Write(0, chunk));
                Assert.Equal(ReplicaStatus.Ok, r.Flush());
            }
        }
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(LinuxFileSystem.Instance, dir, out var again));
        again!.Dispose();
    }

    [Fact]
    public void On_a_full_simulated_disk_writes_snapshots_and_purges_answer_no_space_and_change_nothing()
    {
        var fs = new SimulatedFileSystem();
        fs.CreateDirectory("/sim");
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(fs, "/sim/r", new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 1 << 20, out var r));
        using (r)
        {
            Assert.Equal(ReplicaStatus.Ok, r!.Write(0, new byte[64 * 1024]));
            Assert.Equal(ReplicaStatus.Ok, r.Snapshot("a"));
            Assert.Equal(ReplicaStatus.Ok, r.Write(0, new byte[4096]));
            fs.CapacityBlocks = fs.AllocatedBlocks;
            var before = Fingerprint.Of(fs, "/sim/r", "dirty.log");
            Assert.Equal(ReplicaStatus.NoSpace, r.Write(512 * 1024, new byte[8192]));
            Assert.Equal(ReplicaStatus.NoSpace, r.Snapshot("b"));
            Assert.Equal(ReplicaStatus.NoSpace, r.Revert("a"));
            Assert.Equal(before, Fingerprint.Of(fs, "/sim/r", "dirty.log"));
            Assert.False(r.IsFailed);
            fs.CapacityBlocks = null;
            Assert.Equal(ReplicaStatus.Ok, r.Snapshot("b"));
            Assert.Equal(ReplicaStatus.Ok, r.Write(512 * 1024, new byte[8192]));
        }
    }

    [Fact]
    public void A_write_refused_by_a_full_disk_changes_no_block_reads_back_the_same_after_reopen_and_stays_dirty()
    {
        var fs = new SimulatedFileSystem();
        fs.CreateDirectory("/sim");
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(fs, "/sim/r", new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 1 << 20, out var r));
        var old = new byte[64 * 1024];
        old.AsSpan().Fill(1);
        Assert.Equal(ReplicaStatus.Ok, r!.Write(0, old));
        Assert.Equal(ReplicaStatus.Ok, r.Snapshot("base"));
        Assert.Equal(ReplicaStatus.Ok, r.Flush());
        fs.CapacityBlocks = fs.AllocatedBlocks + 5; // room for 5 of the 16 blocks
        var fresh = new byte[64 * 1024];
        fresh.AsSpan().Fill(2);
        Assert.Equal(ReplicaStatus.NoSpace, r.Write(0, fresh));
        Assert.False(r.IsFailed);
        Assert.Equal(fs.CapacityBlocks - 5, fs.AllocatedBlocks); // the space reserved for the write is given back
        var seen = new byte[64 * 1024];
        Assert.Equal(ReplicaStatus.Ok, r.Read(0, seen));
        Assert.Equal(16 * 4096, seen.Count(b => b == 1)); // the space is reserved before any block is written

        fs.CapacityBlocks = null;
        for (var i = 0; i < 3; i++) Assert.Equal(ReplicaStatus.Ok, r.Flush());
        Assert.Equal([new BlockExtent(0, 256)], r.DirtyRegions()); // kept for the engine to reconcile
        r.Dispose();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, "/sim/r", out var again));
        using (again)
        {
            var after = new byte[64 * 1024];
            Assert.Equal(ReplicaStatus.Ok, again!.Read(0, after));
            Assert.Equal(seen, after);
            Assert.Equal([new BlockExtent(0, 256)], again.DirtyRegions());
            Assert.Equal(ReplicaStatus.Ok, again.ClearDirtyRegions(again.Epoch));
            Assert.Empty(again.DirtyRegions());
        }
    }

    /// <summary>
    /// Found by trying it: on ext4 a write that ran out of space part-way left some blocks it had allocated
    /// reading as zeros, where the snapshot below held 0xaa and the write carried 0xbb. A disk promises per
    /// sector the old content or the new, never anything else, and so must a replica.
    /// </summary>
    [Theory]
    [InlineData(1024)]
    [InlineData(4096)]
    public void A_write_that_runs_out_of_space_leaves_every_block_old_or_new_also_after_reopen(int fsBlockSize)
    {
        using var disk = new LoopDisk(megabytes: 64, fsBlockSize);
        var dir = Path.Combine(disk.Path, "r");
        const int MiBs = 48;
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(LinuxFileSystem.Instance, dir, new ReplicaIdentity(Guid.NewGuid(), "r1", 1), (long)MiBs << 20, out var r));
        var chunk = new byte[1 << 20];
        chunk.AsSpan().Fill(0xaa);
        for (var i = 0; i < MiBs; i++) Assert.Equal(ReplicaStatus.Ok, r!.Write((long)i << 20, chunk));
        Assert.Equal(ReplicaStatus.Ok, r!.Snapshot("s1"));
        chunk.AsSpan().Fill(0xbb);
        var failed = -1;
        for (var i = 0; i < MiBs && failed < 0; i++)
        {
            var status = r.Write((long)i << 20, chunk);
            if (status != ReplicaStatus.Ok)
            {
                Assert.Equal(ReplicaStatus.NoSpace, status);
                failed = i;
            }
        }
        Assert.True(failed > 0, "the disk never filled up");
        Assert.False(r.IsFailed);
        AssertOldOrNew(r, MiBs, failed);
        r.Dispose();

        PageCache.Drop();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(LinuxFileSystem.Instance, dir, out var again));
        using (again) AssertOldOrNew(again!, MiBs, failed);
    }

    /// <summary>
    /// Found by trying it: a node killed while its disk was 100% full could not open the replica again
    /// (opening rewrote volume.meta through a new temp file), so the volume was faulted for good. Opening,
    /// accepting a new engine, reading, flushing, deleting a snapshot and purging must need no free space;
    /// writes that do get NoSpace until the purge has freed some.
    /// </summary>
    [Fact]
    public void A_replica_on_a_full_disk_opens_serves_reads_and_is_writable_again_once_a_purge_frees_space()
    {
        using var disk = new LoopDisk(megabytes: 64);
        var dir = Path.Combine(disk.Path, "r");
        var fs = LinuxFileSystem.Instance;
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(fs, dir, new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 32L << 20, out var r));
        var chunk = new byte[1 << 20];
        chunk.AsSpan().Fill(0xaa);
        for (var i = 0; i < 32; i++) Assert.Equal(ReplicaStatus.Ok, r!.Write((long)i << 20, chunk));
        Assert.Equal(ReplicaStatus.Ok, r!.Snapshot("s1"));
        chunk.AsSpan().Fill(0xbb);
        for (var i = 0; i < 8; i++) Assert.Equal(ReplicaStatus.Ok, r.Write((long)i << 20, chunk));
        r.Dispose();
        disk.FillUp();

        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, dir, out var full));
        using (full)
        {
            Assert.Equal(ReplicaStatus.Ok, full!.AcceptEpoch(2));
            var back = new byte[1 << 20];
            for (var i = 0; i < 32; i++)
            {
                Assert.Equal(ReplicaStatus.Ok, full.Read((long)i << 20, back));
                Assert.True(back.AsSpan().IndexOfAnyExcept(i < 8 ? (byte)0xbb : (byte)0xaa) < 0, $"MiB {i} changed");
            }
            chunk.AsSpan().Fill(0xcc);
            Assert.Equal(ReplicaStatus.Ok, full.Write(0, chunk)); // the head holds these blocks: no new space
            Assert.Equal(ReplicaStatus.NoSpace, full.Write(16L << 20, chunk));
            Assert.Equal(ReplicaStatus.Ok, full.Flush());
            Assert.Equal(ReplicaStatus.Ok, full.ClearDirtyRegions(full.Epoch));
            Assert.Equal(ReplicaStatus.Ok, full.DeleteSnapshot("s1"));
            Assert.Equal(ReplicaStatus.Ok, full.Purge()); // prunes the 8 MiB the head overwrote out of s1
            Assert.Equal(ReplicaStatus.Ok, full.Write(16L << 20, chunk));
            Assert.Equal(ReplicaStatus.Ok, full.Flush());
        }
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, dir, out var reopened));
        using (reopened)
        {
            var back = new byte[1 << 20];
            Assert.Equal(ReplicaStatus.Ok, reopened!.Read(16L << 20, back));
            Assert.True(back.AsSpan().IndexOfAnyExcept((byte)0xcc) < 0);
            Assert.True(reopened.Snapshots().All(x => x.Removed));
        }
    }

    [Fact]
    public void On_a_full_simulated_disk_a_replica_opens_accepts_an_epoch_deletes_a_snapshot_and_closes()
    {
        var fs = new SimulatedFileSystem();
        fs.CreateDirectory("/sim");
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(fs, "/sim/r", new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 1 << 20, out var r));
        Assert.Equal(ReplicaStatus.Ok, r!.Write(0, new byte[64 * 1024]));
        Assert.Equal(ReplicaStatus.Ok, r.Snapshot("a"));
        Assert.Equal(ReplicaStatus.Ok, r.Write(0, new byte[64 * 1024])); // what the purge frees out of "a"
        r.Dispose();
        fs.CapacityBlocks = fs.AllocatedBlocks;
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, "/sim/r", out var again));
        using (again)
        {
            Assert.Equal(ReplicaStatus.Ok, again!.AcceptEpoch(5));
            Assert.Equal(ReplicaStatus.NoSpace, again.Write(128 * 1024, new byte[4096]));
            Assert.Equal(ReplicaStatus.Ok, again.DeleteSnapshot("a"));
            Assert.Equal(ReplicaStatus.Ok, again.Purge());
            Assert.Equal(ReplicaStatus.Ok, again.Write(128 * 1024, new byte[4096]));
        }
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, "/sim/r", out var last));
        using (last) Assert.Equal(5, last!.Epoch);
    }

    /// <summary>Zeroes that do not fit change nothing, so every replica of a volume refuses them alike (review finding).</summary>
    [Fact]
    public void Zeroes_that_do_not_fit_change_no_byte_of_the_range()
    {
        var fs = new SimulatedFileSystem();
        fs.CreateDirectory("/sim");
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(fs, "/sim/r", new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 1 << 20, out var r));
        using (r)
        {
            var old = new byte[64 * 1024];
            old.AsSpan().Fill(7);
            Assert.Equal(ReplicaStatus.Ok, r!.Write(0, old));
            Assert.Equal(ReplicaStatus.Ok, r.Snapshot("base"));
            fs.CapacityBlocks = fs.AllocatedBlocks + 2; // the partial blocks at either end fit, the 14 between do not
            Assert.Equal(ReplicaStatus.NoSpace, r.WriteZeroes(100, old.Length - 200));
            Assert.Equal(fs.CapacityBlocks - 2, fs.AllocatedBlocks);
            var back = new byte[old.Length];
            Assert.Equal(ReplicaStatus.Ok, r.Read(0, back));
            Assert.Equal(old, back);
        }
    }

    private static void AssertOldOrNew(Replica r, int mibs, int failed)
    {
        var back = new byte[1 << 20];
        for (var i = 0; i < mibs; i++)
        {
            Assert.Equal(ReplicaStatus.Ok, r.Read((long)i << 20, back));
            for (var b = 0; b < 256; b++)
            {
                var block = back.AsSpan(b * 4096, 4096);
                var expected = i < failed ? (byte)0xbb : i > failed ? (byte)0xaa : block[0];
                Assert.True(expected is 0xaa or 0xbb && block.IndexOfAnyExcept(expected) < 0,
                    $"MiB {i} block {b} reads {block[0]:x2}…, neither the old 0xaa nor the new 0xbb (the write failed in MiB {failed})");
            }
        }
    }
}
