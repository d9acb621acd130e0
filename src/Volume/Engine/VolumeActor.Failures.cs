using ActorStore.Volume.Protocol;
using Akka.Event;
using static ActorStore.Volume.Protocol.VolumeEvents;

namespace ActorStore.Volume.Engine;

public sealed partial class VolumeActor
{
    internal static object FailReplicasMessage(IReadOnlyList<ReplicaFailure> failures, TaskCompletionSource<bool> persisted) => new FailReplicas(failures, persisted);

    internal static object FencedMessage(string replicaId, long epoch) => new Fenced(replicaId, epoch);

    /// <summary>
    /// The I/O path found failed replicas: persist ERR, take them out of the replica set, and only then
    /// let the request that found them answer (DESIGN §3: no other connection may read from them).
    /// </summary>
    private void OnFailReplicas(FailReplicas f)
    {
        // A late report from an older engine's channel (one a salvage replaced): its replica may serve again under this one.
        PersistFailures(f.Failures.Where(x => x.Epoch == 0 || x.Epoch >= _record.Epoch).ToArray(), () => f.Persisted.TrySetResult(true));
    }

    /// <summary>Persists ERR for each replica not already failed, drops them from the running engine, then runs <paramref name="then"/>.</summary>
    private void PersistFailures(IReadOnlyList<ReplicaFailure> failures, Action then)
    {
        var events = failures
            .Where(f => _record.Replicas.Any(r => r.Id == f.ReplicaId && r.Mode != ReplicaMode.Error))
            .DistinctBy(f => f.ReplicaId)
            .Select(f => new ReplicaFailed(f.ReplicaId, $"{f.Operation}: {f.Status}", DateTimeOffset.UtcNow, Faults.Of(f.Status)))
            .ToArray();
        if (events.Length == 0)
        {
            then();
            return;
        }
        var left = events.Length;
        PersistAll(events, e =>
        {
            Record(e);
            _log.Warning("Volume {Volume}: replica {Replica} failed ({Reason}); volume is {Robustness}", _record.Name, e.ReplicaId, e.Reason, _record.Robustness);
            if (--left > 0) return;
            if (_engine is { } engine) _ = RunningEngine.CloseAsync(engine.Drop(events.Select(x => x.ReplicaId)));
            then();
        });
    }

    /// <summary>A replica refused this engine's epoch: a newer engine owns the volume. Stop serving at once.</summary>
    private void OnFenced(Fenced f)
    {
        if (_engine is not { } engine || f.Epoch != _record.Epoch) return;
        _log.Error("Volume {Volume}: replica {Replica} has accepted a newer engine than epoch {Epoch}; this engine stops serving", _record.Name, f.ReplicaId, f.Epoch);
        _engine = null;
        _host.Exports.Remove(engine.Io);
        _ = engine.StopAsync(flush: false);
    }
}
