using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;
using Xunit;

namespace ActorStore.Volume.Tests.Engine;

/// <summary>
/// While a replica is away every write is tracked (DESIGN §3), so it can catch up later: those sent after it left carry
/// the mark, and the one that found it failed, sent before, goes again tracked to the RW replicas that took it.
/// </summary>
public sealed class VolumeIoTrackingTests
{
    [Fact]
    public async Task The_write_that_found_a_replica_failed_is_sent_again_tracked_and_later_writes_go_tracked()
    {
        var bed = IoBed.ThreeRw();
        Assert.Equal(IoStatus.Ok, await bed.Io.WriteAsync(0, IoBed.Pattern(4096, 1), fua: false));
        Assert.All(bed.All, c => Assert.Empty(c.Tracked)); // all in sync: nothing tracked

        bed["c"].Answer(FakeOp.Write, ReplicaStatus.IoError);
        var data = IoBed.Pattern(8192, 2);
        Assert.Equal(IoStatus.Ok, await bed.Io.WriteAsync(65536, data, fua: false));
        Assert.Equal([(65536L, 8192L)], bed["a"].Tracked);
        Assert.Equal([(65536L, 8192L)], bed["b"].Tracked);
        Assert.Equal(data, bed["a"].Snapshot(65536, 8192));

        Assert.Equal(IoStatus.Ok, await bed.Io.WriteZeroesAsync(1 << 18, 4096, noHole: false, fastOnly: false, fua: false));
        Assert.Equal((1L << 18, 4096L), bed["a"].Tracked[^1]);
        Assert.Equal((1L << 18, 4096L), bed["b"].Tracked[^1]);
        Assert.Empty(bed["c"].Tracked);
    }

    [Fact]
    public async Task A_flush_that_finds_a_replica_failed_sends_nothing_again()
    {
        var bed = IoBed.ThreeRw();
        bed["b"].Answer(FakeOp.Flush, ReplicaStatus.IoError);
        Assert.Equal(IoStatus.Ok, await bed.Io.FlushAsync());
        Assert.All(bed.All, c => Assert.Empty(c.Tracked));
        Assert.Equal(1, bed["a"].Calls(FakeOp.Flush));
    }
}
