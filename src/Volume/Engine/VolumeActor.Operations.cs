using ActorStore.Blocks;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Volume.Protocol.VolumeEvents;
using static ActorStore.Volume.Protocol.VolumeProtocol;

namespace ActorStore.Volume.Engine;

public sealed partial class VolumeActor
{
    private void OnSnapshot(VolumeProtocol.CreateSnapshot s)
    {
        if (!Usable(Sender) || !NotRestoring(Sender)) return;
        if (!Names.IsValid(s.Name)) { Sender.Tell(Refuse(VolumeError.InvalidArgument, $"'{s.Name}' is not a valid snapshot name: use 1-63 of a-z, 0-9 and '-'")); return; }
        Request(new OperationRequested(Guid.NewGuid(), OperationKind.Snapshot, s.Name, 0, s.UserCreated, s.Labels));
    }

    private void OnDeleteSnapshot(VolumeProtocol.DeleteSnapshot d)
    {
        if (!Usable(Sender) || !NotRestoring(Sender) || RebuildRefuses(Sender)) return;
        if (!Names.IsValid(d.Name)) { Sender.Tell(Refuse(VolumeError.InvalidArgument, $"'{d.Name}' is not a valid snapshot name")); return; }
        Request(new OperationRequested(Guid.NewGuid(), OperationKind.DeleteSnapshot, d.Name, 0, false, null));
    }

    private void OnPurge(Purge p)
    {
        if (!Usable(Sender) || RebuildRefuses(Sender)) return;
        Request(new OperationRequested(Guid.NewGuid(), OperationKind.Purge, null, 0, false, null));
    }

    private void OnRevert(Revert r)
    {
        if (!Usable(Sender) || !NotRestoring(Sender) || AfterMaintenance(r)) return;
        if (_record.AttachedTo is not null) { Sender.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' is attached to {_record.AttachedTo}; detach it before reverting")); return; }
        if (!Names.IsValid(r.Snapshot)) { Sender.Tell(Refuse(VolumeError.InvalidArgument, $"'{r.Snapshot}' is not a valid snapshot name")); return; }
        Request(new OperationRequested(Guid.NewGuid(), OperationKind.Revert, r.Snapshot, 0, false, null));
    }

    private void OnExpand(Expand e)
    {
        if (!Usable(Sender) || !NotRestoring(Sender) || AfterMaintenance(e)) return;
        if (_record.AttachedTo is not null) { Sender.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' is attached to {_record.AttachedTo}; detach it before expanding")); return; }
        if (e.Size < _record.Size || e.Size % BlockSize.Bytes != 0 || e.Size > _host.Settings.Replica.MaxSize)
        {
            Sender.Tell(Refuse(VolumeError.InvalidArgument, $"new size {e.Size} must be a multiple of 4096, at least the current {_record.Size} and at most {_host.Settings.Replica.MaxSize} bytes"));
            return;
        }
        if (e.Size == _record.Size) { Reply(Sender); return; }
        Request(new OperationRequested(Guid.NewGuid(), OperationKind.Expand, null, e.Size, false, null));
    }

    private void OnListSnapshots(VolumeProtocol.ListSnapshots l)
    {
        var replyTo = Sender;
        if (!Usable(replyTo)) return;
        var calls = _calls;
        var name = _record.Name;
        var healthy = _record.Healthy.Where(r => r.Mode == ReplicaMode.ReadWrite).ToArray();
        // Read-only: answered from a replica without making the actor busy, in every state.
        ListFromAsync(calls, name, healthy).PipeTo(replyTo);
    }

    /// <summary>Persists step one of a replica-changing command, then carries it out.</summary>
    private void Request(OperationRequested op)
    {
        var replyTo = Sender;
        if (_record.Pending is not null) { replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' is busy with {_record.Pending.Kind}; retry")); return; }
        Persist(op, e =>
        {
            Record(e);
            RunOperation(op, replyTo);
        });
    }

    /// <summary>
    /// Carries out a requested command on every healthy replica under its request id (snapshot and purge
    /// with I/O drained), fails replicas that broke or disagree with the others, persists completion and answers.
    /// </summary>
    /// <param name="andThen">Runs instead of ending the workflow, with whether it succeeded (a rebuild takes its snapshot so).</param>
    private void RunOperation(OperationRequested op, IActorRef replyTo, Action<bool>? andThen = null)
    {
        if (op.Kind == OperationKind.Delete)
        {
            RemoveReplicasThenForget(replyTo, new Deleted(_record.Name));
            return;
        }
        var targets = _record.Healthy.ToArray();
        var engine = _engine;
        var drain = engine is not null && op.Kind is OperationKind.Snapshot or OperationKind.Purge;
        var commands = targets.Select(r => CommandFor(op, r)).ToArray();
        var calls = _calls;
        var nodes = _host.Nodes;
        var name = _record.Name;
        var timeout = _host.Settings.ReplicaCommandTimeout;
        Run(activity: op.Kind.ToString().ToLowerInvariant(), work: async () =>
        {
            if (drain)
            {
                // The engine drains its I/O (on its own node) and resumes by itself should this controller not come back.
                var paused = await AskEngine(nodes, new EngineProtocol.PauseIo(engine!.Node, name, engine.Epoch, timeout * 2), timeout).ConfigureAwait(false);
                if (paused is not EngineProtocol.IoPaused) return (Answers: (object[]?)null, List: (object?)null, NotDrained: Describe(paused));
            }
            object[] answers;
            try
            {
                answers = await calls.AskAllAsync(commands).ConfigureAwait(false);
            }
            finally
            {
                if (drain) nodes.Tell(new EngineProtocol.ResumeIo(engine!.Node, name, engine.Epoch), ActorRefs.NoSender);
            }
            var list = await ListFromAsync(calls, name, targets).ConfigureAwait(false);
            return (Answers: answers, List: list, NotDrained: (string?)null);
        }, then: result =>
        {
            if (result.Answers is not { } answers)
            {
                var notDrained = Refuse(VolumeError.Unavailable, $"{op.Kind} not done: the engine of '{_record.Name}' did not drain its I/O ({result.NotDrained}); retry");
                Persist(new OperationCompleted(op.RequestId, false, notDrained.Detail), e =>
                {
                    Record(e);
                    if (!replyTo.IsNobody()) replyTo.Tell(notDrained);
                    if (andThen is not null) andThen(false);
                    else Finish();
                });
                return;
            }
            var list = result.List;
            var statuses = answers.Select(ReplicaCalls.StatusOf).ToArray();
            // A delete repeated after a crash may find the snapshot already purged on some replicas.
            if (op.Kind == OperationKind.DeleteSnapshot && statuses.Contains(ReplicaStatus.Ok))
                statuses = statuses.Select(s => s == ReplicaStatus.NotFound ? ReplicaStatus.Ok : s).ToArray();
            // Decided by the RW replicas: a write-only one (a rebuild's) alone doing it must never fail those in sync.
            var succeeded = Enumerable.Range(0, targets.Length).Any(i => statuses[i] == ReplicaStatus.Ok && targets[i].Mode == ReplicaMode.ReadWrite);
            var failures = new List<ReplicaFailure>();
            for (var i = 0; i < targets.Length; i++)
            {
                if (!succeeded && statuses[i] == ReplicaStatus.Ok)
                {
                    // A write-only replica did what every RW one refused: its layers no longer match theirs; it is rebuilt again.
                    failures.Add(new ReplicaFailure(targets[i].Id, ReplicaStatus.Failed, $"{op.Kind}: it did what the replicas in sync refused"));
                    continue;
                }
                if (statuses[i] == ReplicaStatus.Ok || (!succeeded && IsRefusal(statuses[i]))) continue;
                // Broke, or refused what the others did: its chain no longer matches theirs.
                failures.Add(new ReplicaFailure(targets[i].Id, statuses[i], $"{op.Kind}: {ReplicaCalls.DetailOf(answers[i])}"));
            }
            var refusal = succeeded ? null : RefusalFor(op, statuses, answers);
            PersistFailures(failures, () => Persist(new OperationCompleted(op.RequestId, succeeded, refusal?.Detail), e =>
            {
                Record(e);
                if (list is Snapshots s) _snapshotCount = s.Items.Count(x => !x.Removed);
                _log.Info("Volume {Volume}: {Operation} {Name} {Outcome}", _record.Name, op.Kind, op.Name ?? "", succeeded ? "done" : refusal!.Detail);
                if (!replyTo.IsNobody())
                    replyTo.Tell(refusal ?? (op.Kind is OperationKind.Revert or OperationKind.Expand ? View() : list));
                if (andThen is not null)
                {
                    andThen(succeeded);
                    return;
                }
                Finish();
                if (replyTo.IsNobody()) Self.Tell(Resume.Instance);
            }));
        });
    }

    private IReplicaCommand CommandFor(OperationRequested op, VolumeRecord.ReplicaRecord r) => op.Kind switch
    {
        OperationKind.Snapshot => new ReplicaProtocol.TakeSnapshot(r.Node, r.Id, op.RequestId, op.Name!, op.UserCreated, op.Labels),
        OperationKind.DeleteSnapshot => new ReplicaProtocol.DeleteSnapshot(r.Node, r.Id, op.RequestId, op.Name!),
        OperationKind.Purge => new ReplicaProtocol.PurgeSnapshots(r.Node, r.Id, op.RequestId),
        OperationKind.Revert => new ReplicaProtocol.RevertReplica(r.Node, r.Id, op.RequestId, op.Name!),
        OperationKind.Expand => new ReplicaProtocol.ExpandReplica(r.Node, r.Id, op.RequestId, op.Size),
        _ => throw new InvalidOperationException($"{op.Kind} is not a replica command"),
    };

    private Refused RefusalFor(OperationRequested op, ReplicaStatus[] statuses, object[] answers)
    {
        if (statuses.Length == 0) return Refuse(VolumeError.Unavailable, $"volume '{_record.Name}' has no healthy replica");
        var s = statuses.FirstOrDefault(IsRefusal, statuses[0]);
        var what = op.Name is null ? "" : $"snapshot '{op.Name}' ";
        return s switch
        {
            ReplicaStatus.NotFound => Refuse(VolumeError.NotFound, $"{what}does not exist on volume '{_record.Name}'; `pbm snapshot list {_record.Name}` shows them"),
            ReplicaStatus.AlreadyExists => Refuse(VolumeError.WrongState, $"{what}already exists on volume '{_record.Name}'; pick another name"),
            ReplicaStatus.SnapshotRemoved when op.Kind == OperationKind.Snapshot => Refuse(VolumeError.WrongState,
                $"{what}was deleted but is not purged yet, so its name is still taken; run `pbm snapshot purge {_record.Name}` to free it"
                + " (a deleted snapshot right below the live data stays until a newer snapshot is taken and purged), or pick another name"),
            ReplicaStatus.SnapshotRemoved => Refuse(VolumeError.WrongState, $"{what}was deleted; revert to a snapshot that is not deleted"),
            ReplicaStatus.TooManySnapshots => Refuse(VolumeError.WrongState, $"volume '{_record.Name}' has the maximum of snapshots; delete some and run `pbm snapshot purge {_record.Name}`"),
            ReplicaStatus.NoSpace => Refuse(VolumeError.NoSpace, $"the disks of volume '{_record.Name}' are full; free space or add a disk"),
            ReplicaStatus.InvalidName or ReplicaStatus.InvalidArgument or ReplicaStatus.OutOfRange => Refuse(VolumeError.InvalidArgument, $"{op.Kind} refused: {ReplicaCalls.DetailOf(answers[Array.IndexOf(statuses, s)])}"),
            _ => Refuse(VolumeError.Unavailable, $"{op.Kind} failed on every replica: {string.Join("; ", answers.Select(ReplicaCalls.DetailOf))}"),
        };
    }

    /// <summary>The snapshot list as the first RW replica that answers holds it.</summary>
    private static async Task<object> ListFromAsync(ReplicaCalls calls, string volume, IReadOnlyList<VolumeRecord.ReplicaRecord> replicas)
    {
        foreach (var r in replicas.Where(r => r.Mode == ReplicaMode.ReadWrite))
            if (await calls.AskAsync(new ReplicaProtocol.ListSnapshots(r.Node, r.Id, Guid.NewGuid())).ConfigureAwait(false) is ReplicaProtocol.SnapshotList list)
                return new Snapshots(volume, list.Items);
        return new Refused(volume, VolumeError.Unavailable, $"no replica of volume '{volume}' answered; `pbm volume show {volume}` shows their state");
    }

    private sealed record SnapshotCount(int Count);

    private void RefreshSnapshotCount()
    {
        ListFromAsync(_calls, _record.Name, _record.Healthy.ToArray())
            .ContinueWith(t => t.IsCompletedSuccessfully && t.Result is Snapshots s ? new SnapshotCount(s.Items.Count(x => !x.Removed)) : new SnapshotCount(-1), TaskScheduler.Default)
            .PipeTo(Self);
    }

    private void OnSnapshotCount(SnapshotCount c)
    {
        if (c.Count >= 0) _snapshotCount = c.Count;
    }
}
