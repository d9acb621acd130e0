using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;
using Xunit;

namespace ActorStore.Volume.Tests.Engine;

public sealed class VolumeIoReadTests
{
    [Fact]
    public async Task Reads_prefer_the_local_replica()
    {
        var bed = new IoBed(("remote1", ReplicaMode.ReadWrite, false), ("local", ReplicaMode.ReadWrite, true), ("remote2", ReplicaMode.ReadWrite, false));
        for (var i = 0; i < 10; i++) Assert.Equal(IoStatus.Ok, await bed.Io.ReadAsync(0, new byte[4096]));
        Assert.Equal(10, bed["local"].Calls(FakeOp.Read));
        Assert.Equal(0, bed["remote1"].Calls(FakeOp.Read) + bed["remote2"].Calls(FakeOp.Read));
    }

    [Fact]
    public void A_cached_read_is_served_at_once_by_the_local_replica()
    {
        var bed = new IoBed(("remote", ReplicaMode.ReadWrite, false), ("local", ReplicaMode.ReadWrite, true));
        bed["remote"].Cached = bed["local"].Cached = true;
        var data = IoBed.Pattern(8192, 3);
        bed["local"].Fill(4096, data);
        var destination = new byte[8192];
        Assert.True(bed.Io.TryReadCached(4096, destination));
        Assert.Equal(data, destination);
        Assert.Equal((1, 0), (bed["local"].CachedReads, bed["remote"].CachedReads));
    }

    [Fact]
    public async Task No_cached_read_without_a_local_readable_replica_out_of_range_or_while_paused()
    {
        var remote = IoBed.ThreeRw();
        foreach (var c in remote.All) c.Cached = true;
        Assert.False(remote.Io.TryReadCached(0, new byte[4096])); // only the replica in this process could answer at once

        var writeOnly = new IoBed(("rw", ReplicaMode.ReadWrite, false), ("wo", ReplicaMode.WriteOnly, true));
        writeOnly["wo"].Cached = true;
        Assert.False(writeOnly.Io.TryReadCached(0, new byte[4096]));

        var bed = new IoBed(("local", ReplicaMode.ReadWrite, true));
        bed["local"].Cached = true;
        Assert.False(bed.Io.TryReadCached(IoBed.Size - 4096, new byte[8192]));
        Assert.False(bed.Io.TryReadCached(-4096, new byte[4096]));
        await bed.Io.PauseAsync(); // a snapshot is being taken: the read waits, in ReadAsync
        Assert.False(bed.Io.TryReadCached(0, new byte[4096]));
        bed.Io.Resume();
        Assert.True(bed.Io.TryReadCached(0, new byte[4096]));
        await bed.Io.CloseAsync();
        Assert.False(bed.Io.TryReadCached(0, new byte[4096]));
        Assert.Equal(1, bed["local"].CachedReads);
    }

    [Fact]
    public async Task Without_a_local_replica_reads_take_the_remote_ones_in_turn()
    {
        var bed = IoBed.ThreeRw();
        for (var i = 0; i < 30; i++) Assert.Equal(IoStatus.Ok, await bed.Io.ReadAsync(0, new byte[4096]));
        Assert.All(bed.All, c => Assert.Equal(10, c.Calls(FakeOp.Read)));
    }

    [Fact]
    public async Task Reads_never_go_to_a_write_only_replica()
    {
        var bed = new IoBed(("rw", ReplicaMode.ReadWrite, false), ("wo", ReplicaMode.WriteOnly, true));
        for (var i = 0; i < 10; i++) Assert.Equal(IoStatus.Ok, await bed.Io.ReadAsync(0, new byte[4096]));
        Assert.Equal(0, bed["wo"].Calls(FakeOp.Read));
    }

    [Fact]
    public async Task A_read_error_fails_that_replica_and_retries_another()
    {
        var bed = new IoBed(("remote", ReplicaMode.ReadWrite, false), ("local", ReplicaMode.ReadWrite, true));
        var data = IoBed.Pattern(4096, 9);
        bed["remote"].Fill(8192, data);
        bed["local"].Answer(FakeOp.Read, ReplicaStatus.IoError);
        var destination = new byte[4096];
        Assert.Equal(IoStatus.Ok, await bed.Io.ReadAsync(8192, destination));
        Assert.Equal(data, destination);
        Assert.Equal([new ReplicaFailure("local", ReplicaStatus.IoError, "read", Epoch: 1)], bed.Sink.Failures);
    }

    [Fact]
    public async Task A_read_with_no_readable_replica_is_an_io_error()
    {
        var bed = new IoBed(("wo", ReplicaMode.WriteOnly, false), ("err", ReplicaMode.Error, false));
        Assert.Equal(IoStatus.IoError, await bed.Io.ReadAsync(0, new byte[4096]));
    }

    [Fact]
    public async Task A_read_that_fails_everywhere_is_an_io_error_after_failing_each_replica()
    {
        var bed = IoBed.ThreeRw();
        foreach (var c in bed.All) c.Answer(FakeOp.Read, ReplicaStatus.IoError);
        Assert.Equal(IoStatus.IoError, await bed.Io.ReadAsync(0, new byte[4096]));
        Assert.Equal(["a", "b", "c"], bed.Sink.Failures.Select(f => f.ReplicaId).Order());
    }

    [Fact]
    public async Task A_stale_epoch_on_read_fences_and_fails_the_read()
    {
        var bed = new IoBed(("local", ReplicaMode.ReadWrite, true));
        bed["local"].Answer(FakeOp.Read, ReplicaStatus.StaleEpoch);
        Assert.Equal(IoStatus.IoError, await bed.Io.ReadAsync(0, new byte[4096]));
        Assert.Equal(["local"], bed.Sink.FencedReplicas);
        Assert.Equal(0, bed.Sink.FailCalls);
    }
}
