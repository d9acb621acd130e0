using ActorStore.Blocks.Devices;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>Regions written since the last flush are durably marked before the write and listed after an unclean stop.</summary>
public sealed class DirtyRegionLogTests
{
    private const long Region = 4 << 20;

    private static (SimulatedFileSystem Fs, Replica Replica) NewReplica(int budget = 1024)
    {
        var fs = new SimulatedFileSystem();
        fs.CreateDirectory("/sim");
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(fs, "/sim/r", new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 64 << 20, out var r, new ReplicaOptions { DirtyRegionBudget = budget }));
        return (fs, r!);
    }

    [Fact]
    public void Writes_after_the_last_flush_are_listed_after_a_power_cut()
    {
        var (fs, r) = NewReplica();
        Assert.Equal(ReplicaStatus.Ok, r.Write(Region * 2 + 5, new byte[10]));
        Assert.Equal(ReplicaStatus.Ok, r.Flush());
        var revision = r.Revision;
        Assert.Equal(ReplicaStatus.Ok, r.Write(Region * 5 - 2, new byte[4])); // straddles regions 4 and 5
        Assert.Equal(ReplicaStatus.Ok, r.Trim(Region * 9, 4096));
        // Region 2 stays marked too: marks clear lazily, and only over the budget.
        BlockExtent[] expected = [new(2 * Region / 4096, Region / 4096), new(4 * Region / 4096, 2 * Region / 4096), new(9 * Region / 4096, Region / 4096)];
        Assert.Equal(expected, r.DirtyRegions());

        fs.CutPower();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, "/sim/r", out var again));
        using (again)
        {
            Assert.True(again!.OpenedAfterUncleanStop);
            Assert.Equal(revision, again.Revision);
            Assert.Equal(expected, again.DirtyRegions());
            // Kept through flushes until the engine has made the replicas equal and says so.
            Assert.Equal(ReplicaStatus.Ok, again.Flush());
            Assert.Equal(ReplicaStatus.Ok, again.Flush());
            Assert.Equal(expected, again.DirtyRegions());
            Assert.Equal(revision + 2, again.Revision);
            Assert.Equal(ReplicaStatus.Ok, again.ClearDirtyRegions(again.Epoch));
            Assert.Empty(again.DirtyRegions());
        }
    }

    [Fact]
    public void A_clean_close_leaves_nothing_dirty_and_the_revision_counts_flushes()
    {
        var (fs, r) = NewReplica();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ReplicaStatus.Ok, r.Write(i * Region, new byte[1]));
            Assert.Equal(ReplicaStatus.Ok, r.Flush());
        }
        var revision = r.Revision;
        r.Dispose();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, "/sim/r", out var again));
        using (again)
        {
            Assert.False(again!.OpenedAfterUncleanStop);
            Assert.Empty(again.DirtyRegions());
            Assert.Equal(revision + 1, again.Revision); // the close flushed once more
        }
    }

    [Fact]
    public void A_region_in_steady_use_is_not_marked_again_after_each_flush_and_an_idle_one_is_cleared_over_budget()
    {
        var (fs, r) = NewReplica(budget: 1);
        Assert.Equal(ReplicaStatus.Ok, r.Write(0, new byte[4096]));
        Assert.Equal(ReplicaStatus.Ok, r.Write(Region, new byte[4096]));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ReplicaStatus.Ok, r.Flush());
            var before = fs.Operations;
            Assert.Equal(ReplicaStatus.Ok, r.Write(0, new byte[4096]));
            Assert.Equal(1, fs.Operations - before); // no mark: region 0 is still marked
        }
        Assert.Equal([new BlockExtent(0, Region / 4096)], r.DirtyRegions()); // region 1 idle for a whole interval: cleared
        r.Dispose();
    }

    [Fact]
    public void Within_the_budget_idle_regions_stay_marked()
    {
        var (fs, r) = NewReplica(budget: 8);
        for (var i = 0; i < 4; i++) Assert.Equal(ReplicaStatus.Ok, r.Write(i * Region, new byte[1]));
        for (var i = 0; i < 3; i++) Assert.Equal(ReplicaStatus.Ok, r.Flush());
        Assert.Equal([new BlockExtent(0, 4 * Region / 4096)], r.DirtyRegions());
        var before = fs.Operations;
        Assert.Equal(ReplicaStatus.Ok, r.Write(2 * Region, new byte[4096]));
        Assert.Equal(1, fs.Operations - before);
        r.Dispose();
    }

    [Fact]
    public void Concurrent_writers_needing_marks_share_fsyncs_and_all_marks_are_durable()
    {
        var (fs, r) = NewReplica();
        Assert.Equal(ReplicaStatus.Ok, r.Flush());
        Parallel.For(0, 16, i => Assert.Equal(ReplicaStatus.Ok, r.Write(i * Region, new byte[4096])));
        fs.CutPower();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, "/sim/r", out var again));
        using (again) Assert.Equal([new BlockExtent(0, 16 * Region / 4096)], again!.DirtyRegions());
    }

    [Fact]
    public void Regions_dirty_at_open_survive_a_clean_close_until_reconciled()
    {
        var (fs, r) = NewReplica();
        Assert.Equal(ReplicaStatus.Ok, r.Write(0, new byte[1]));
        fs.CutPower();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, "/sim/r", out var again));
        again!.Dispose();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, "/sim/r", out var third));
        using (third)
        {
            Assert.False(third!.OpenedAfterUncleanStop);
            Assert.Equal([new BlockExtent(0, Region / 4096)], third.DirtyRegions());
        }
    }

    [Fact]
    public void Clearing_the_regions_makes_the_writes_they_covered_durable_first()
    {
        var (fs, r) = NewReplica();
        Assert.Equal(ReplicaStatus.Ok, r.Flush());
        Assert.Equal(ReplicaStatus.Ok, r.Write(Region, new byte[] { 42 }));
        Assert.Equal(ReplicaStatus.Ok, r.ClearDirtyRegions(r.Epoch));
        fs.CutPower();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, "/sim/r", out var again));
        using (again)
        {
            Assert.Empty(again!.DirtyRegions());
            var back = new byte[1];
            Assert.Equal(ReplicaStatus.Ok, again.Read(Region, back));
            Assert.Equal(42, back[0]); // not listed any more, so it must be there
        }
    }

    [Fact]
    public void An_engine_older_than_the_replica_has_seen_cannot_clear_the_newer_engines_regions()
    {
        var (_, r) = NewReplica();
        using (r)
        {
            Assert.Equal(ReplicaStatus.Ok, r.AcceptEpoch(r.Epoch + 1));
            Assert.Equal(ReplicaStatus.Ok, r.Write(Region, new byte[] { 42 }));
            Assert.Equal(ReplicaStatus.StaleEpoch, r.ClearDirtyRegions(r.Epoch - 1));
            Assert.NotEmpty(r.DirtyRegions());
        }
    }

    [Fact]
    public void A_torn_bitmap_page_counts_all_its_regions_dirty()
    {
        var (fs, r) = NewReplica();
        r.Dispose();
        using (var log = fs.Open("/sim/r/dirty.log", create: false))
        {
            log.Write(2 * 4096 + 100, new byte[] { 0xFF }); // corrupt the first bitmap page without its checksum
            log.Fsync();
        }
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, "/sim/r", out var again));
        using (again) Assert.Equal([new BlockExtent(0, 64L * 1024 * 1024 / 4096)], again!.DirtyRegions());
    }

    [Fact]
    public void A_region_is_marked_durably_before_its_first_write_reaches_the_head()
    {
        var (fs, r) = NewReplica();
        Assert.Equal(ReplicaStatus.Ok, r.Flush());
        var before = fs.Operations;
        Assert.Equal(ReplicaStatus.Ok, r.Write(Region * 3, new byte[4096]));
        // mark page write, log fsync, then the head's space reserved and the data written
        Assert.Equal(4, fs.Operations - before);
        before = fs.Operations;
        Assert.Equal(ReplicaStatus.Ok, r.Write(Region * 3 + 8192, new byte[4096]));
        Assert.Equal(2, fs.Operations - before); // already marked: the reservation and the data write
        before = fs.Operations;
        Assert.Equal(ReplicaStatus.Ok, r.Write(Region * 3 + 8192, new byte[4096]));
        Assert.Equal(1, fs.Operations - before); // a block the head holds: just the data write
        r.Dispose();
    }
}
