namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// Waits for a condition with a deadline, polling. Never a bare sleep: the test proceeds the moment the
/// condition holds and fails with <paramref name="what"/> if it never does.
/// </summary>
public static class Eventually
{
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition()) return;
                last = null;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                last = ex; // e.g. the gateway is not listening yet; retried until the deadline.
            }
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"timed out after {timeout.TotalSeconds} s waiting for: {what}", last);
            await Task.Delay(100);
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout, what);
}
