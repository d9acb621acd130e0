using ActorStore.Volume.Frontend.Nbd;
using Xunit;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>A FLUSH waits for the writes received before it, not for later ones, and flushes keep their order.</summary>
public sealed class FlushBarrierTests
{
    [Fact]
    public void Flush_waits_for_earlier_writes_only()
    {
        var barrier = new FlushBarrier<string>(8);
        long first = barrier.WriteStarted();
        long second = barrier.WriteStarted();
        Assert.False(barrier.TryStartFlush("flush1"));
        long later = barrier.WriteStarted();
        Assert.False(barrier.TryStartFlush("flush2"));

        Assert.Null(barrier.WriteCompleted(second));
        Assert.Equal("flush1", barrier.WriteCompleted(first));
        Assert.Null(barrier.WriteCompleted(-1));      // flush2 still waits for the later write
        Assert.Equal("flush2", barrier.WriteCompleted(later));
        Assert.True(barrier.TryStartFlush("flush3")); // nothing pending: runs at once
    }
}
