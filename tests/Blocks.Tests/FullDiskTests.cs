using ActorStore.Blocks.Devices;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>ENOSPC is its own status, keeps the replica healthy, and changes no data; once space is freed, work goes on.</summary>
public sealed class FullDiskTests
{
    [Fact]
    public void A_real_full_ext4_disk_answers_no_space_and_keeps_every_acknowledged_write()
    {
        using var disk = new LoopMount(megabytes: 24);
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
    public void A_write_cut_short_by_a_full_disk_reads_back_the_same_before_and_after_reopen_and_stays_dirty()
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
        var seen = new byte[64 * 1024];
        Assert.Equal(ReplicaStatus.Ok, r.Read(0, seen));
        Assert.Equal(5 * 4096, seen.Count(b => b == 2)); // the blocks that fit, and the index knows it
        Assert.Equal(11 * 4096, seen.Count(b => b == 1));

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
            Assert.Equal(ReplicaStatus.Ok, again.ClearDirtyRegions());
            Assert.Empty(again.DirtyRegions());
        }
    }
}
