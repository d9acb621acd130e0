using ActorStore.Blocks;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Volume.Protocol.PlacementProtocol;
using static ActorStore.Volume.Protocol.VolumeEvents;
using static ActorStore.Volume.Protocol.VolumeProtocol;

namespace ActorStore.Volume.Engine;

public sealed partial class VolumeActor
{
    /// <summary>After recovery: finish an interrupted create or command, then re-find the engine if attached.</summary>
    private void ResumeAfterRecovery()
    {
        if (!_record.Exists) return;
        if (!_record.CreateDone)
        {
            CompleteCreate(ActorRefs.Nobody);
            return;
        }
        if (_record.Pending is { } pending)
        {
            _log.Info("Volume {Volume}: finishing {Operation} {RequestId} interrupted by a stop", _record.Name, pending.Kind, pending.RequestId);
            RunOperation(pending, ActorRefs.Nobody);
            return;
        }
        _host.Registry.Tell(new RegistryProtocol.Register(_record.Name, _record.Id));
        if (_record.AttachedTo is not null && _engine is null) LookForEngine(DateTime.UtcNow);
        RefreshSnapshotCount();
    }

    private void OnCreate(Create c)
    {
        var replyTo = Sender;
        if (_record.Exists)
        {
            replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{c.Volume}' already exists; pick another name or delete it first"));
            return;
        }
        if (!Names.IsValid(c.Volume)) { replyTo.Tell(Refuse(VolumeError.InvalidArgument, $"'{c.Volume}' is not a valid name: use 1-63 of a-z, 0-9 and '-', starting with a letter or digit")); return; }
        if (c.Size <= 0 || c.Size % BlockSize.Bytes != 0 || c.Size > _host.Settings.Replica.MaxSize)
        {
            replyTo.Tell(Refuse(VolumeError.InvalidArgument, $"size {c.Size} must be a positive multiple of 4096 bytes and at most {_host.Settings.Replica.MaxSize} bytes"));
            return;
        }
        if (c.Replicas is < 1 or > 3) { replyTo.Tell(Refuse(VolumeError.InvalidArgument, $"replica count {c.Replicas} must be 1, 2 or 3")); return; }
        var nodes = _host.Nodes;
        var timeout = _host.Settings.ReplicaCommandTimeout;
        Run(() => nodes.Ask<object>(new PlaceReplicas(c.Volume, c.Size, c.Replicas, []), timeout), activity: "creating", then: placed =>
        {
            if (placed is not Placed p)
            {
                replyTo.Tell(placed is NotPlaced n ? Refuse(n.Error, n.Detail) : Refuse(VolumeError.Internal, $"placement answered {placed.GetType().Name}"));
                Finish();
                return;
            }
            var replicas = p.Placements.Select(x => new NewReplica(NewReplicaId(c.Volume), x.Node, x.Disk)).ToArray();
            Persist(new CreateRequested(Guid.NewGuid(), c.Size, c.Replicas, DateTimeOffset.UtcNow, replicas, c.SoftAntiAffinity, c.RestoringFrom, c.Standby), e =>
            {
                Record(e);
                CompleteCreate(replyTo);
            });
        });
    }

    /// <summary>Creates every replica (idempotent: repeated after a crash); on any failure the volume is rolled back.</summary>
    private void CompleteCreate(IActorRef replyTo)
    {
        var commands = _record.Replicas.Select(r => (IReplicaCommand)new ReplicaProtocol.CreateReplica(r.Node, r.Id, Guid.NewGuid(), _record.Name, _record.Id, r.Disk, _record.Size, _record.Epoch)).ToArray();
        Run(() => _calls.AskAllAsync(commands), activity: "creating", then: answers =>
        {
            var failed = answers.Select((a, i) => (Answer: a, Replica: _record.Replicas[i])).Where(x => ReplicaCalls.StatusOf(x.Answer) != ReplicaStatus.Ok).ToArray();
            if (failed.Length == 0)
            {
                Persist(new CreateCompleted(_record.Id), e =>
                {
                    Record(e);
                    _host.Registry.Tell(new RegistryProtocol.Register(_record.Name, _record.Id));
                    _log.Info("Volume {Volume} created: {Size} bytes, replicas {Replicas}", _record.Name, _record.Size, string.Join(", ", _record.Replicas.Select(r => $"{r.Id}@{r.Node}/{r.Disk}")));
                    Reply(replyTo);
                    Finish();
                });
                return;
            }
            var why = string.Join("; ", failed.Select(f => $"{f.Replica.Id} on {f.Replica.Node}/{f.Replica.Disk}: {ReplicaCalls.DetailOf(f.Answer)}"));
            var noSpace = failed.All(f => ReplicaCalls.StatusOf(f.Answer) == ReplicaStatus.NoSpace);
            _log.Warning("Volume {Volume}: create failed, rolling back: {Why}", _record.Name, why);
            RemoveReplicasThenForget(replyTo, Refuse(noSpace ? VolumeError.NoSpace : VolumeError.Unavailable, $"cannot create the replicas of '{_record.Name}': {why}"));
        });
    }

    /// <summary>Removes every replica directory, then records the volume as deleted and answers <paramref name="answer"/>.</summary>
    private void RemoveReplicasThenForget(IActorRef replyTo, object answer)
    {
        var commands = _record.Replicas.Select(r => (IReplicaCommand)new ReplicaProtocol.RemoveReplica(r.Node, r.Id, Guid.NewGuid())).ToArray();
        Run(() => _calls.AskAllAsync(commands), activity: "deleting", then: answers =>
        {
            foreach (var (a, i) in answers.Select((a, i) => (a, i)).Where(x => ReplicaCalls.StatusOf(x.a) != ReplicaStatus.Ok))
                _log.Warning("Volume {Volume}: replica {Replica} was not removed ({Why}); its directory is an orphan no new volume will use",
                    _record.Name, _record.Replicas[i].Id, ReplicaCalls.DetailOf(a));
            var id = _record.Id;
            Persist(new VolumeDeleted(id), e =>
            {
                Record(e);
                _host.Registry.Tell(new RegistryProtocol.Unregister(_record.Name, id));
                if (!replyTo.IsNobody()) replyTo.Tell(answer);
                Finish();
            });
        });
    }

    private void OnDelete(Delete d)
    {
        var replyTo = Sender;
        if (!_record.Exists) { replyTo.Tell(NotFound()); return; }
        if (AfterMaintenance(d)) return;
        if (_record.AttachedTo is not null) { replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' is attached to {_record.AttachedTo}; detach it first")); return; }
        var op = new OperationRequested(Guid.NewGuid(), OperationKind.Delete, null, 0, false, null);
        Persist(op, e =>
        {
            Record(e);
            RunOperation(op, replyTo);
        });
    }
}
