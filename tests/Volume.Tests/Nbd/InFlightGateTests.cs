using ActorStore.Volume.Frontend.Nbd;
using Xunit;

namespace ActorStore.Volume.Tests.Nbd;

public sealed class InFlightGateTests
{
    [Fact]
    public async Task Idle_waiter_wakes_when_the_last_release_lands()
    {
        var gate = new InFlightGate(128, 1 << 20);
        gate.Add(8, 8 * 512);
        var wait = gate.WaitForIdleAsync().AsTask();
        Assert.False(wait.IsCompleted);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => gate.Release(1, 512))));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
