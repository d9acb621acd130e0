using ActorStore.Blocks;
using ActorStore.Volume.Protocol;
using Akka.Actor;

namespace ActorStore.Volume.Engine;

/// <summary>
/// Sends replica control commands through the node directory and waits for the answer, bounded by a
/// timeout. Used by the engine's multi-step workflows (start, snapshot, purge …), which run off the
/// actor's thread and report back to it. A replica that does not answer counts as an I/O error.
/// </summary>
public sealed class ReplicaCalls(IActorRef nodes, TimeSpan timeout)
{
    public Task<object> AskAsync(IReplicaCommand command) => AskAsync(command, timeout);

    /// <summary>With a time of its own, for a command whose work grows with the data (a rebuild's layer check).</summary>
    public async Task<object> AskAsync(IReplicaCommand command, TimeSpan within)
    {
        try
        {
            return await nodes.Ask<object>(command, within).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return new ReplicaProtocol.Done(command.ReplicaId, command.RequestId, ReplicaOutcome.IoError,
                $"replica {command.ReplicaId} on node {command.Node} did not answer within {within.TotalSeconds:0} s");
        }
    }

    /// <summary>Sends one command to each replica in parallel; the answers come back in the same order.</summary>
    public Task<object[]> AskAllAsync(IEnumerable<IReplicaCommand> commands) => Task.WhenAll(commands.Select(AskAsync));

    public static ReplicaStatus StatusOf(object answer) => answer switch
    {
        ReplicaProtocol.Done d => d.Status.ToStatus(),
        ReplicaProtocol.Opened or ReplicaProtocol.SnapshotList => ReplicaStatus.Ok,
        _ => ReplicaStatus.IoError,
    };

    public static string DetailOf(object answer) => answer switch
    {
        ReplicaProtocol.Done { Detail: { } d } => d,
        ReplicaProtocol.Done d => d.Status.ToString(),
        _ => "ok",
    };
}
