using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;
using Xunit;

namespace ActorStore.Volume.Tests.Engine;

public sealed class VolumeIoFlushTests
{
    [Fact]
    public async Task A_fua_write_flushes_every_replica()
    {
        var bed = new IoBed(("a", ReplicaMode.ReadWrite, false), ("b", ReplicaMode.WriteOnly, false), ("c", ReplicaMode.ReadWrite, true));
        Assert.Equal(IoStatus.Ok, await bed.Io.WriteAsync(0, IoBed.Pattern(4096, 1), fua: true));
        Assert.All(bed.All, c => Assert.Equal(1, c.Calls(FakeOp.Flush)));
    }

    [Fact]
    public async Task A_write_without_fua_flushes_nothing()
    {
        var bed = IoBed.ThreeRw();
        Assert.Equal(IoStatus.Ok, await bed.Io.WriteAsync(0, IoBed.Pattern(4096, 1), fua: false));
        Assert.All(bed.All, c => Assert.Equal(0, c.Calls(FakeOp.Flush)));
    }

    [Fact]
    public async Task Flush_flushes_every_replica()
    {
        var bed = new IoBed(("a", ReplicaMode.ReadWrite, false), ("b", ReplicaMode.WriteOnly, false), ("c", ReplicaMode.ReadWrite, true));
        Assert.Equal(IoStatus.Ok, await bed.Io.FlushAsync());
        Assert.All(bed.All, c => Assert.Equal(1, c.Calls(FakeOp.Flush)));
    }

    [Fact]
    public async Task A_flush_error_fails_the_replica_for_good()
    {
        var bed = IoBed.ThreeRw();
        bed["b"].Answer(FakeOp.Flush, ReplicaStatus.IoError);
        Assert.Equal(IoStatus.Ok, await bed.Io.FlushAsync());
        Assert.Equal([new ReplicaFailure("b", ReplicaStatus.IoError, "flush", Epoch: 1)], bed.Sink.Failures);
        Assert.Equal(IoStatus.Ok, await bed.Io.FlushAsync());
        Assert.Equal(1, bed["b"].Calls(FakeOp.Flush));
    }

    [Fact]
    public async Task A_fua_write_whose_flush_fails_everywhere_is_an_io_error()
    {
        var bed = IoBed.ThreeRw();
        foreach (var c in bed.All) c.Answer(FakeOp.Flush, ReplicaStatus.IoError);
        Assert.Equal(IoStatus.IoError, await bed.Io.WriteAsync(0, IoBed.Pattern(4096, 1), fua: true));
        Assert.Equal(3, bed.Sink.Failures.Count);
    }
}
