using Akka.Actor;

namespace ActorStore.Volume.Engine;

/// <summary>
/// How an engine tells its controller something it must not lose (failures found by the I/O path, how a rebuild's copy
/// ended): asked again every few seconds until the controller answers, or <c>timeout</c> has passed. A controller whose
/// node died with a replica's comes back on another node once the cluster has downed it, and the report must reach that one.
/// </summary>
internal static class ControllerReports
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(3);

    /// <summary>The controller's answer, or null when none came within <paramref name="timeout"/>.</summary>
    public static async Task<object?> DeliverAsync(ActorSelection volumes, object report, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return null;
            try
            {
                return await volumes.Ask<object>(report, left < Retry ? left : Retry).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                // Not delivered, or the controller is recovering elsewhere: ask again.
            }
        }
    }
}
