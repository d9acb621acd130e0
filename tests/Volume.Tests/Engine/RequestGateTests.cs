using ActorStore.Volume.Engine;
using Xunit;

namespace ActorStore.Volume.Tests.Engine;

public sealed class RequestGateTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Pause_completes_only_when_in_flight_requests_exit()
    {
        var gate = new RequestGate();
        Assert.True(await gate.EnterAsync());
        Assert.True(await gate.EnterAsync());
        var paused = gate.PauseAsync();
        Assert.False(paused.IsCompleted);
        gate.Exit();
        Assert.False(paused.IsCompleted);
        gate.Exit();
        await paused.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Pause_with_nothing_in_flight_completes_at_once()
    {
        var gate = new RequestGate();
        await gate.PauseAsync().WaitAsync(Deadline);
    }

    [Fact]
    public async Task Requests_entering_during_a_pause_wait_and_proceed_after_resume()
    {
        var gate = new RequestGate();
        await gate.PauseAsync().WaitAsync(Deadline);
        var held = gate.EnterAsync().AsTask();
        Assert.False(held.IsCompleted);
        gate.Resume();
        Assert.True(await held.WaitAsync(Deadline));
        gate.Exit();
        Assert.True(await gate.EnterAsync().AsTask().WaitAsync(Deadline));
    }

    [Fact]
    public async Task A_second_pause_after_resume_waits_for_the_new_in_flight_requests()
    {
        var gate = new RequestGate();
        await gate.PauseAsync().WaitAsync(Deadline);
        gate.Resume();
        Assert.True(await gate.EnterAsync());
        var paused = gate.PauseAsync();
        Assert.False(paused.IsCompleted);
        gate.Exit();
        await paused.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Close_refuses_waiting_and_new_requests()
    {
        var gate = new RequestGate();
        await gate.PauseAsync().WaitAsync(Deadline);
        var held = gate.EnterAsync().AsTask();
        await gate.CloseAsync().WaitAsync(Deadline);
        Assert.False(await held.WaitAsync(Deadline));
        Assert.False(await gate.EnterAsync());
    }

    [Fact]
    public async Task Close_completes_when_in_flight_requests_exit()
    {
        var gate = new RequestGate();
        Assert.True(await gate.EnterAsync());
        var closed = gate.CloseAsync();
        Assert.False(closed.IsCompleted);
        Assert.False(await gate.EnterAsync());
        Assert.False(closed.IsCompleted);
        gate.Exit();
        await closed.WaitAsync(Deadline);
    }
}
