using ActorStore.Volume.Protocol;
using Akka.Actor;

namespace ActorStore.Cluster.Api;

/// <summary>
/// The gateway's only way into the actors: every Ask has the configured timeout (STYLE: Ask only at the
/// edges, always with a timeout). A timeout becomes a <see cref="NoAnswer"/> value, not an exception,
/// so endpoints map it like any other answer in <see cref="Problems"/>.
/// </summary>
internal sealed class ActorAsks(GatewayTargets targets)
{
    public GatewayTargets Targets => targets;

    public Task<object> Volume(IWithVolumeName command, CancellationToken ct) => AskAsync(targets.Volumes, command, "the volume", ct);

    public Task<object> Registry(object query, CancellationToken ct) => AskAsync(targets.Registry, query, "the volume registry", ct);

    public Task<object> Nodes(object command, CancellationToken ct) => AskAsync(targets.Nodes, command, "the node directory", ct);

    public Task<object> Backups(object command, CancellationToken ct) => AskAsync(targets.Backups, command, "the backup coordinator", ct);

    public Task<object> Jobs(object command, CancellationToken ct) => AskAsync(targets.Jobs, command, "the recurring jobs", ct);

    private async Task<object> AskAsync(IActorRef target, object message, string who, CancellationToken ct)
    {
        try
        {
            return await target.Ask<object>(message, targets.AskTimeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return new NoAnswer(who, targets.AskTimeout);
        }
    }
}

/// <summary>An Ask that timed out: <paramref name="Who"/> did not answer within <paramref name="After"/>.</summary>
internal sealed record NoAnswer(string Who, TimeSpan After);
