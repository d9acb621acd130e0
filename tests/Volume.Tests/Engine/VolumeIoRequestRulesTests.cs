using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;
using Xunit;

namespace ActorStore.Volume.Tests.Engine;

/// <summary>Range checks and TRIM while a replica rebuilds.</summary>
public sealed class VolumeIoRequestRulesTests
{
    public static TheoryData<long, long> BadRanges => new()
    {
        { -4096, 4096 },
        { IoBed.Size, 1 },
        { IoBed.Size - 4096, 8192 },
        { 0, IoBed.Size + 4096 },
        { 4096, -1 },
        { long.MaxValue - 100, 4096 },
    };

    [Theory]
    [MemberData(nameof(BadRanges))]
    public async Task Out_of_range_requests_are_invalid_and_touch_no_replica(long offset, long length)
    {
        var bed = IoBed.ThreeRw();
        var bytes = (int)Math.Clamp(length, 0, 16384);
        if (length >= 0 && length <= 16384)
        {
            Assert.Equal(IoStatus.InvalidArgument, await bed.Io.ReadAsync(offset, new byte[bytes]));
            Assert.Equal(IoStatus.InvalidArgument, await bed.Io.WriteAsync(offset, new byte[bytes], fua: true));
        }
        Assert.Equal(IoStatus.InvalidArgument, await bed.Io.WriteZeroesAsync(offset, length, noHole: false, fastOnly: false, fua: false));
        Assert.Equal(IoStatus.InvalidArgument, await bed.Io.WriteZeroesAsync(offset, length, noHole: false, fastOnly: true, fua: false));
        Assert.Equal(IoStatus.InvalidArgument, await bed.Io.TrimAsync(offset, length, fua: false));
        Assert.Equal(IoStatus.InvalidArgument, await bed.Io.GetAllocationAsync(offset, length, []));
        foreach (var c in bed.All)
            foreach (var op in Enum.GetValues<FakeOp>())
                Assert.Equal(0, c.Started(op));
    }

    [Fact]
    public async Task Trim_is_a_no_op_while_any_replica_is_write_only()
    {
        var bed = new IoBed(("rw", ReplicaMode.ReadWrite, false), ("wo", ReplicaMode.WriteOnly, false));
        Assert.True(bed.Io.View.AnyWriteOnly);
        Assert.Equal(IoStatus.Ok, await bed.Io.TrimAsync(0, 8192, fua: false));
        Assert.All(bed.All, c => Assert.Equal(0, c.Started(FakeOp.Trim)));
    }

    [Fact]
    public async Task Trim_reaches_every_replica_when_none_is_write_only()
    {
        var bed = IoBed.ThreeRw();
        Assert.Equal(IoStatus.Ok, await bed.Io.TrimAsync(0, 8192, fua: false));
        Assert.All(bed.All, c => Assert.Equal(1, c.Calls(FakeOp.Trim)));
    }

    [Fact]
    public async Task Write_zeroes_keeps_the_range_allocated_only_with_no_hole()
    {
        var bed = IoBed.ThreeRw();
        Assert.Equal(IoStatus.Ok, await bed.Io.WriteZeroesAsync(0, 4096, noHole: true, fastOnly: false, fua: false));
        Assert.Equal(IoStatus.Ok, await bed.Io.WriteZeroesAsync(4096, 4096, noHole: false, fastOnly: false, fua: false));
        var extents = new List<AllocationExtent>();
        Assert.Equal(IoStatus.Ok, await bed.Io.GetAllocationAsync(0, 8192, extents));
        Assert.Equal([new AllocationExtent(0, 4096, false), new AllocationExtent(4096, 4096, true)], extents);
    }
}
