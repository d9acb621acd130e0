using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;
using ActorStore.Volume.Tests.Replicas;
using Xunit;

namespace ActorStore.Volume.Tests.Engine;

public sealed class VolumeIoWriteTests
{
    [Fact]
    public async Task A_write_goes_to_every_writable_replica_and_completes_only_when_all_have_it()
    {
        var bed = new IoBed(("a", ReplicaMode.ReadWrite, false), ("b", ReplicaMode.WriteOnly, false), ("c", ReplicaMode.ReadWrite, true));
        var held = bed["b"].Hold(FakeOp.Write);
        var data = IoBed.Pattern(8192, 3);
        var write = bed.Io.WriteAsync(4096, data, fua: false).AsTask();
        await Wait.UntilAsync(() => bed.All.All(c => c.Started(FakeOp.Write) == 1), "the write reaching every replica");
        await Wait.UntilAsync(() => bed["a"].Calls(FakeOp.Write) == 1 && bed["c"].Calls(FakeOp.Write) == 1, "a and c to finish");
        Assert.False(write.IsCompleted);
        held.SetResult();
        Assert.Equal(IoStatus.Ok, await Wait.ForAsync(write, "the write"));
        foreach (var c in bed.All) Assert.Equal(data, c.Snapshot(4096, 8192));
        Assert.Equal(0, bed.Sink.FailCalls);
    }

    [Theory]
    [InlineData(100, 512)] // inside one block
    [InlineData(4000, 5000)] // across a block boundary: both edge blocks partial
    [InlineData(8192, 100)] // aligned start, partial end
    public async Task A_write_into_part_of_a_block_reaches_a_write_only_replica_as_whole_blocks_with_the_rest_from_a_read_write_one(int offset, int length)
    {
        var bed = new IoBed(("a", ReplicaMode.ReadWrite, false), ("b", ReplicaMode.WriteOnly, false));
        var old = IoBed.Pattern(4 * 4096, 9);
        bed["a"].Fill(0, old); // what the volume holds; b, rebuilding, does not have it yet
        var data = IoBed.Pattern(length, 4);
        Assert.Equal(IoStatus.Ok, await bed.Io.WriteAsync(offset, data, fua: false));
        var expected = (byte[])old.Clone();
        data.CopyTo(expected, offset);
        var start = offset / 4096 * 4096;
        var end = (offset + length + 4095) / 4096 * 4096;
        Assert.Equal(expected[start..end], bed["b"].Snapshot(start, end - start));
        Assert.Equal(expected, bed["a"].Snapshot(0, expected.Length));
    }

    [Fact]
    public async Task Zeroes_over_parts_of_blocks_reach_a_write_only_replica_as_merged_edge_blocks_and_zeroed_whole_blocks()
    {
        var bed = new IoBed(("a", ReplicaMode.ReadWrite, false), ("b", ReplicaMode.WriteOnly, false));
        var old = IoBed.Pattern(8 * 4096, 5);
        bed["a"].Fill(0, old);
        bed["b"].Fill(0, IoBed.Pattern(8 * 4096, 77)); // stale bytes: every one of the range's blocks must be rewritten
        Assert.Equal(IoStatus.Ok, await bed.Io.WriteZeroesAsync(1000, 5 * 4096, noHole: false, fastOnly: false, fua: false));
        var expected = (byte[])old.Clone();
        Array.Clear(expected, 1000, 5 * 4096);
        Assert.Equal(expected[..(6 * 4096)], bed["b"].Snapshot(0, 6 * 4096));
        Assert.Equal(expected, bed["a"].Snapshot(0, expected.Length));
    }

    [Fact]
    public async Task A_failed_replica_is_failed_before_the_write_is_acknowledged()
    {
        var bed = IoBed.ThreeRw();
        bed["b"].Answer(FakeOp.Write, ReplicaStatus.IoError);
        var persist = bed.Sink.Hold();
        var write = bed.Io.WriteAsync(0, IoBed.Pattern(4096, 1), fua: false).AsTask();
        await Wait.ForAsync(bed.Sink.Called, "FailAsync");
        Assert.False(write.IsCompleted);
        Assert.Equal([new ReplicaFailure("b", ReplicaStatus.IoError, "write", Epoch: 1)], bed.Sink.Failures);
        persist.SetResult(true);
        Assert.Equal(IoStatus.Ok, await Wait.ForAsync(write, "the write"));
        Assert.DoesNotContain(bed.Io.View.Readable, m => m.ReplicaId == "b");
    }

    [Fact]
    public async Task A_write_whose_failure_could_not_be_persisted_gets_an_io_error()
    {
        var bed = IoBed.ThreeRw();
        bed["c"].Answer(FakeOp.Write, ReplicaStatus.IoError);
        bed.Sink.Persisted = false;
        Assert.Equal(IoStatus.IoError, await bed.Io.WriteAsync(0, IoBed.Pattern(4096, 1), fua: false));
    }

    [Fact]
    public async Task A_write_that_only_write_only_replicas_took_is_an_io_error()
    {
        var bed = new IoBed(("rw", ReplicaMode.ReadWrite, false), ("wo", ReplicaMode.WriteOnly, false));
        bed["rw"].Answer(FakeOp.Write, ReplicaStatus.IoError);
        Assert.Equal(IoStatus.IoError, await bed.Io.WriteAsync(0, IoBed.Pattern(4096, 1), fua: false));
        Assert.Equal(["rw"], bed.Sink.Failures.Select(f => f.ReplicaId));
    }

    [Fact]
    public async Task A_stale_epoch_fences_the_engine_and_fails_the_write()
    {
        var bed = IoBed.ThreeRw();
        bed["a"].Answer(FakeOp.Write, ReplicaStatus.StaleEpoch);
        Assert.Equal(IoStatus.IoError, await bed.Io.WriteAsync(0, IoBed.Pattern(4096, 1), fua: false));
        Assert.Equal(["a"], bed.Sink.FencedReplicas);
    }

    [Fact]
    public async Task A_write_with_no_writable_replica_is_an_io_error()
    {
        var bed = new IoBed(("a", ReplicaMode.Error, false));
        Assert.Equal(IoStatus.IoError, await bed.Io.WriteAsync(0, IoBed.Pattern(4096, 1), fua: false));
        Assert.Equal(0, bed["a"].Started(FakeOp.Write));
    }

    [Fact]
    public async Task Overlapping_writes_reach_every_replica_in_the_same_order()
    {
        var bed = IoBed.ThreeRw();
        var held = bed["b"].Hold(FakeOp.Write);
        var first = bed.Io.WriteAsync(0, IoBed.Pattern(4096, 1), fua: false).AsTask();
        await Wait.UntilAsync(() => bed["b"].Started(FakeOp.Write) == 1, "the first write at b");
        var second = bed.Io.WriteAsync(512, IoBed.Pattern(512, 2), fua: false).AsTask();
        Assert.Equal(1, bed["a"].Started(FakeOp.Write)); // the second waits for the first's acknowledgement everywhere
        held.SetResult();
        Assert.Equal(IoStatus.Ok, await Wait.ForAsync(first, "first"));
        Assert.Equal(IoStatus.Ok, await Wait.ForAsync(second, "second"));
        var expected = IoBed.Pattern(4096, 1);
        IoBed.Pattern(512, 2).CopyTo(expected, 512);
        foreach (var c in bed.All) Assert.Equal(expected, c.Snapshot(0, 4096));
    }
}
