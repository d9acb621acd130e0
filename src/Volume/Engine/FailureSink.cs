using Akka.Actor;

namespace ActorStore.Volume.Engine;

/// <summary>
/// The I/O path's way to the volume actor: failures become a message the actor persists, and the
/// request that found them waits for that persist (bounded: if the journal does not answer in time the
/// request gets EIO and the engine keeps going, DESIGN §3).
/// </summary>
internal sealed class FailureSink(IActorRef volume, TimeSpan timeout) : IReplicaFailureSink
{
    public async Task<bool> FailAsync(IReadOnlyList<ReplicaFailure> failures)
    {
        var persisted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        volume.Tell(VolumeActor.FailReplicasMessage(failures, persisted));
        var finished = await Task.WhenAny(persisted.Task, Task.Delay(timeout)).ConfigureAwait(false);
        return finished == persisted.Task && persisted.Task.Result;
    }

    public void Fenced(string replicaId, long epoch) => volume.Tell(VolumeActor.FencedMessage(replicaId, epoch));
}
