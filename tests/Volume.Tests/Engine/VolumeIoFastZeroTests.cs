using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;
using Xunit;

namespace ActorStore.Volume.Tests.Engine;

/// <summary>NBD_CMD_FLAG_FAST_ZERO: cheap only where the range is all holes.</summary>
public sealed class VolumeIoFastZeroTests
{
    [Fact]
    public async Task Fast_zero_over_data_is_not_supported_and_changes_nothing()
    {
        var bed = IoBed.ThreeRw();
        var data = IoBed.Pattern(4096, 5);
        Assert.Equal(IoStatus.Ok, await bed.Io.WriteAsync(8192, data, fua: false));
        Assert.Equal(IoStatus.NotSupported, await bed.Io.WriteZeroesAsync(0, 16384, noHole: false, fastOnly: true, fua: false));
        Assert.All(bed.All, c => Assert.Equal(data, c.Snapshot(8192, 4096)));
        Assert.All(bed.All, c => Assert.Equal(0, c.Started(FakeOp.Zeroes)));
    }

    [Fact]
    public async Task Fast_zero_over_holes_is_ok()
    {
        var bed = IoBed.ThreeRw();
        Assert.Equal(IoStatus.Ok, await bed.Io.WriteAsync(0, IoBed.Pattern(4096, 5), fua: false));
        Assert.Equal(IoStatus.Ok, await bed.Io.WriteZeroesAsync(4096, 16384, noHole: false, fastOnly: true, fua: false));
    }

    [Fact]
    public async Task Fast_zero_that_must_stay_allocated_is_not_supported()
    {
        var bed = IoBed.ThreeRw();
        Assert.Equal(IoStatus.NotSupported, await bed.Io.WriteZeroesAsync(0, 4096, noHole: true, fastOnly: true, fua: false));
    }
}
