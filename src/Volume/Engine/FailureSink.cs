using Akka.Actor;

namespace ActorStore.Volume.Engine;

/// <summary>
/// The I/O path's way to its engine actor: failures become a message the engine has the controller persist, and
/// the request that found them waits for that persist (bounded: if the journal does not answer in time the
/// request gets EIO and the engine keeps going, DESIGN §3).
/// </summary>
internal sealed class FailureSink(IActorRef engine, TimeSpan timeout) : IReplicaFailureSink
{
    public async Task<bool> FailAsync(IReadOnlyList<ReplicaFailure> failures)
    {
        var persisted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Tell(new EngineActor.Fail(failures, persisted));
        var finished = await Task.WhenAny(persisted.Task, Task.Delay(timeout)).ConfigureAwait(false);
        return finished == persisted.Task && persisted.Task.Result;
    }

    public void Fenced(string replicaId, long epoch) => engine.Tell(new EngineActor.FencedBy(replicaId, epoch));
}
