using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Volume.Protocol.VolumeEvents;

namespace ActorStore.Volume.Engine;

public sealed partial class VolumeActor
{
    /// <summary>
    /// The engine found failed replicas: persist ERR, and only then answer, so that the engine drops them and
    /// lets the request that found them answer (DESIGN §3: no other connection may read from them). A report
    /// of an older engine is refused: that engine has been fenced and its request gets EIO.
    /// </summary>
    private void OnReportFailures(EngineProtocol.ReportFailures r)
    {
        var replyTo = Sender;
        if (r.Epoch != _record.Epoch || _record.AttachedTo is null)
        {
            replyTo.Tell(new EngineProtocol.EngineRefused(_record.Name, r.Epoch, $"volume '{_record.Name}' is at epoch {_record.Epoch}{(_record.AttachedTo is null ? ", detached" : "")}"));
            return;
        }
        // A late report from a channel a salvage replaced: its replica may serve again under this epoch.
        var failures = r.Failures.Where(x => x.Epoch == 0 || x.Epoch >= _record.Epoch).Select(ToFailure).ToArray();
        PersistFailures(failures, () => replyTo.Tell(new EngineProtocol.FailuresRecorded(_record.Name, r.Epoch)));
    }

    /// <summary>Persists ERR for each replica not already failed, has the running engine drop them, then runs <paramref name="then"/>.</summary>
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
            if (_engine is { } engine) engine.Engine.Tell(new EngineProtocol.DropReplicas(engine.Node, _record.Name, engine.Epoch, events.Select(x => x.ReplicaId).ToArray()));
            then();
        });
    }
}
