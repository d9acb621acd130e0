using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;
using ActorStore.Volume.Tests.Replicas;
using Xunit;

namespace ActorStore.Volume.Tests.Engine;

public sealed class VolumeIoLifecycleTests
{
    [Fact]
    public async Task After_close_every_request_is_shutting_down()
    {
        var bed = IoBed.ThreeRw();
        await Wait.ForAsync(bed.Io.CloseAsync(), "close");
        Assert.Equal(IoStatus.ShuttingDown, await bed.Io.ReadAsync(0, new byte[4096]));
        Assert.Equal(IoStatus.ShuttingDown, await bed.Io.WriteAsync(0, new byte[4096], fua: false));
        Assert.Equal(IoStatus.ShuttingDown, await bed.Io.WriteZeroesAsync(0, 4096, noHole: false, fastOnly: false, fua: false));
        Assert.Equal(IoStatus.ShuttingDown, await bed.Io.TrimAsync(0, 4096, fua: false));
        Assert.Equal(IoStatus.ShuttingDown, await bed.Io.FlushAsync());
        Assert.Equal(IoStatus.ShuttingDown, await bed.Io.GetAllocationAsync(0, 4096, []));
        Assert.All(bed.All, c => Assert.Equal(0, c.Started(FakeOp.Write) + c.Started(FakeOp.Read) + c.Started(FakeOp.Flush)));
    }

    [Fact]
    public async Task After_close_zero_length_requests_are_shutting_down_too()
    {
        var bed = IoBed.ThreeRw();
        await Wait.ForAsync(bed.Io.CloseAsync(), "close");
        Assert.Equal(IoStatus.ShuttingDown, await bed.Io.WriteAsync(0, ReadOnlyMemory<byte>.Empty, fua: false));
        Assert.Equal(IoStatus.ShuttingDown, await bed.Io.WriteZeroesAsync(0, 0, noHole: false, fastOnly: false, fua: false));
        Assert.Equal(IoStatus.ShuttingDown, await bed.Io.TrimAsync(0, 0, fua: false));
    }

    [Fact]
    public async Task Close_waits_for_in_flight_writes()
    {
        var bed = IoBed.ThreeRw();
        var held = bed["a"].Hold(FakeOp.Write);
        var write = bed.Io.WriteAsync(0, new byte[4096], fua: false).AsTask();
        await Wait.UntilAsync(() => bed["a"].Started(FakeOp.Write) == 1, "the write at a");
        var closed = bed.Io.CloseAsync();
        Assert.False(closed.IsCompleted);
        held.SetResult();
        Assert.Equal(IoStatus.Ok, await Wait.ForAsync(write, "the write"));
        await Wait.ForAsync(closed, "close");
    }

    [Fact]
    public async Task Pause_waits_for_in_flight_writes_and_holds_new_ones_until_resume()
    {
        var bed = IoBed.ThreeRw();
        var held = bed["b"].Hold(FakeOp.Write);
        var inFlight = bed.Io.WriteAsync(0, new byte[4096], fua: false).AsTask();
        await Wait.UntilAsync(() => bed["b"].Started(FakeOp.Write) == 1, "the write at b");
        var paused = bed.Io.PauseAsync();
        Assert.False(paused.IsCompleted);
        held.SetResult();
        Assert.Equal(IoStatus.Ok, await Wait.ForAsync(inFlight, "the in-flight write"));
        await Wait.ForAsync(paused, "pause");

        var later = bed.Io.WriteAsync(65536, new byte[4096], fua: false).AsTask();
        Assert.False(later.IsCompleted);
        Assert.Equal(1, bed["a"].Started(FakeOp.Write));
        bed.Io.Resume();
        Assert.Equal(IoStatus.Ok, await Wait.ForAsync(later, "the held write"));
        Assert.Equal(2, bed["a"].Calls(FakeOp.Write));
    }
}
