namespace ActorStore.Volume.Tests.Replicas;

/// <summary>Waiting for a condition with a generous deadline: a guard against hangs, never a timing assertion.</summary>
public static class Wait
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"gave up waiting for {what}");
            await Task.Delay(10);
        }
    }

    /// <summary>Awaits <paramref name="task"/>, failing the test instead of hanging it.</summary>
    public static async Task<T> ForAsync<T>(Task<T> task, string what)
    {
        if (await Task.WhenAny(task, Task.Delay(Deadline)) != task) throw new TimeoutException($"{what} did not complete");
        return await task;
    }

    public static async Task ForAsync(Task task, string what)
    {
        if (await Task.WhenAny(task, Task.Delay(Deadline)) != task) throw new TimeoutException($"{what} did not complete");
        await task;
    }
}
