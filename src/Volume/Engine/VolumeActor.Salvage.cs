using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Volume.Protocol.VolumeEvents;
using static ActorStore.Volume.Protocol.VolumeProtocol;

namespace ActorStore.Volume.Engine;

// Salvage (Longhorn's word): a volume whose replicas have all failed — a disk that hung, a node agent that
// closed them, a power loss — while their data is intact serves again from the freshest of them. The choice
// is SalvagePlan's; the engine start carries it out (opens the failed replicas, reconciles the ones that
// agree with the freshest); this part records it and answers. On engine start it happens by itself
// (actorstore.volume.auto-salvage); `pbm volume salvage` asks for it, attached or detached.
public sealed partial class VolumeActor
{
    private void OnSalvage(VolumeProtocol.Salvage s)
    {
        var replyTo = Sender;
        if (!Usable(replyTo) || !NotRestoring(replyTo) || AfterMaintenance(s)) return;
        if (!_record.Faulted)
        {
            replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' is {_record.Robustness}: a replica still serves, so there is nothing to salvage; failed replicas are replaced by a rebuild"));
            return;
        }
        if (!_record.SalvageCandidates.Any())
        {
            replyTo.Tell(Refuse(VolumeError.Unavailable, $"no replica of volume '{_record.Name}' can be salvaged: each failed an fsync or is corrupt; restore it from a backup"));
            return;
        }
        if (_record.AttachedTo is not null && _engine is null)
        {
            replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' is attached to node {_record.AttachedTo} but its engine does not serve; detach it, then salvage"));
            return;
        }
        if (_record.Pending is not null) { replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' is busy with {_record.Pending.Kind}; retry")); return; }
        // A new epoch: whatever still holds one of these replicas under the old one is fenced off.
        Persist(new EpochRaised(_record.Epoch + 1), e =>
        {
            Record(e);
            RunSalvage(replyTo);
        });
    }

    /// <summary>
    /// Attached: the engine prepares the salvaged replicas under the new epoch and, told to serve, swaps them in
    /// (its NBD clients stay connected). Detached: the engine host of this node prepares them (opens and
    /// reconciles), and lets go of them flushed until the next attach.
    /// </summary>
    private void RunSalvage(IActorRef replyTo)
    {
        var attached = _record.AttachedTo;
        var start = new EngineProtocol.StartEngine(attached ?? _host.NodeId, _record.Name, _record.Id, _record.Size, _record.Epoch,
            _record.SalvageCandidates.Select(r => new EngineProtocol.EngineReplica(r.Id, r.Node, r.Disk, r.FailedAt)).ToArray(), Salvage: true, Track: true);
        bool Current() => _record.Epoch == start.Epoch && _record.AttachedTo == attached && _detaching is null;
        Run(() => AskEngine(start, _host.Settings.EngineStartTimeout), answer => Prepared(start, answer, Current, () =>
        {
            if (attached is null)
            {
                Run(() => AskEngine(new EngineProtocol.StopEngine(start.Node, start.Volume, start.Epoch, Flush: true), _host.Settings.ReplicaCommandTimeout), _ =>
                {
                    Reply(replyTo);
                    Finish();
                });
                return;
            }
            var serving = ServeAsync(new EngineProtocol.ServeEngine(start.Node, start.Volume, start.Epoch)); // started here: it reads the actor's context
            Run(() => serving, served =>
            {
                if (served is { Answer: EngineProtocol.EngineServing s, Engine: { } engine } && Current())
                {
                    Link(start.Node, s.Epoch, engine, s.NbdEndpoint);
                    Reply(replyTo);
                }
                else replyTo.Tell(Refuse(VolumeError.Unavailable, $"the salvaged replicas of '{_record.Name}' were not served: {Describe(served.Answer)}"));
                Finish();
            });
        }, why =>
        {
            replyTo.Tell(Refuse(VolumeError.Unavailable, $"no replica of volume '{_record.Name}' could be salvaged: {why}"));
            Finish();
        }, () =>
        {
            replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' was attached or detached while it was salvaged; retry"));
            Finish();
        }), "salvaging");
    }

    /// <summary>Records what a salvage kept (the replicas the engine now holds), then runs <paramref name="then"/>.</summary>
    private void PersistSalvage(EngineProtocol.EnginePrepared result, Action then)
    {
        if (result.Salvaged is not { } choice || result.Serving.Count == 0)
        {
            then();
            return;
        }
        var kept = result.Serving.ToHashSet();
        var source = kept.Contains(choice.Source) ? choice.Source : choice.Reconciled.First(kept.Contains);
        var reason = source == choice.Source ? choice.Reason : $"{source} serves: {choice.Source} was picked ({choice.Reason}) but could not be reached";
        var picked = choice.Reconciled.Prepend(choice.Source).ToHashSet();
        var considered = picked.Concat(choice.Left.Select(l => l.ReplicaId)).ToHashSet();
        var left = choice.Left.Select(l => new LeftOut(l.ReplicaId, l.Why))
            .Concat(picked.Where(id => !kept.Contains(id)).Select(id => new LeftOut(id, "it failed while being reconciled")))
            .Concat(result.Failures.Where(f => !considered.Contains(f.ReplicaId)).Select(f => new LeftOut(f.ReplicaId, $"it did not open ({f.Operation})")))
            .Concat(_record.Replicas.Where(r => r.Fault == ReplicaFault.Untrusted).Select(r => new LeftOut(r.Id, "it failed an fsync or its files are corrupt: its data cannot be trusted")))
            .DistinctBy(l => l.ReplicaId)
            .ToArray();
        Persist(new ReplicasSalvaged(source, choice.Reconciled.Where(id => kept.Contains(id) && id != source).ToArray(), left, reason, DateTimeOffset.UtcNow), e =>
        {
            Record(e);
            _log.Warning("Volume {Volume} salvaged: {Reason}; reconciled {Reconciled}; left ERR: {Left}", _record.Name, e.Reason,
                e.Reconciled.Count == 0 ? "none" : string.Join(", ", e.Reconciled), e.Left.Count == 0 ? "none" : string.Join("; ", e.Left.Select(l => $"{l.ReplicaId} ({l.Why})")));
            then();
        });
    }
}
