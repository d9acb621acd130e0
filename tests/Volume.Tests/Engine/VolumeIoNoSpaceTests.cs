using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;
using Xunit;

namespace ActorStore.Volume.Tests.Engine;

/// <summary>DESIGN §3: ENOSPC on every writable replica fails nobody; on some, only those fail.</summary>
public sealed class VolumeIoNoSpaceTests
{
    [Fact]
    public async Task All_writable_replicas_out_of_space_answers_no_space_and_fails_nobody()
    {
        var bed = new IoBed(("a", ReplicaMode.ReadWrite, false), ("b", ReplicaMode.ReadWrite, true), ("c", ReplicaMode.WriteOnly, false));
        foreach (var c in bed.All) c.Answer(FakeOp.Write, ReplicaStatus.NoSpace);
        Assert.Equal(IoStatus.NoSpace, await bed.Io.WriteAsync(0, IoBed.Pattern(4096, 1), fua: false));
        Assert.Equal(0, bed.Sink.FailCalls);
        Assert.Equal(3, bed.Io.View.Writable.Length);
    }

    [Fact]
    public async Task Some_replicas_out_of_space_answers_ok_and_fails_only_those()
    {
        var bed = IoBed.ThreeRw();
        bed["a"].Answer(FakeOp.Write, ReplicaStatus.NoSpace);
        bed["c"].Answer(FakeOp.Write, ReplicaStatus.NoSpace);
        Assert.Equal(IoStatus.Ok, await bed.Io.WriteAsync(0, IoBed.Pattern(4096, 1), fua: false));
        Assert.Equal(["a", "c"], bed.Sink.Failures.Select(f => f.ReplicaId).Order());
        Assert.All(bed.Sink.Failures, f => Assert.Equal(ReplicaStatus.NoSpace, f.Status));
        Assert.Equal(["b"], bed.Io.View.Writable.Select(m => m.ReplicaId));
    }

    [Fact]
    public async Task Zeroes_out_of_space_everywhere_answer_no_space()
    {
        var bed = IoBed.ThreeRw();
        foreach (var c in bed.All) c.Answer(FakeOp.Zeroes, ReplicaStatus.NoSpace);
        Assert.Equal(IoStatus.NoSpace, await bed.Io.WriteZeroesAsync(0, 8192, noHole: true, fastOnly: false, fua: false));
        Assert.Equal(0, bed.Sink.FailCalls);
    }
}
