using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Volume.Protocol.EngineProtocol;
using static ActorStore.Volume.Protocol.PlacementProtocol;
using static ActorStore.Volume.Protocol.VolumeEvents;
using static ActorStore.Volume.Protocol.VolumeProtocol;

namespace ActorStore.Volume.Engine;

// Self-healing (DESIGN §5). Every few seconds an idle controller looks at its replicas: a volume with fewer
// read-write replicas than its spec gets a replacement once a missing one has been gone longer than the
// replenishment wait (or cannot be trusted), on a node holding none of its replicas. The new replica joins the
// running engine write-only, the rebuild's snapshot is taken as any snapshot is (persisted, with I/O drained),
// and the engine copies the layers in the background while this actor takes other commands again; it reports
// progress, and its end is persisted: read-write and the replaced replica removed, or the new one failed and
// removed. A write-only replica whose copy no longer runs (the engine restarted, the volume was detached) can
// never finish: it is failed and removed, and the next check starts over.
public sealed partial class VolumeActor
{
    private static readonly TimeSpan HealEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryRebuildAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RebuildReportGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan BusyRetry = TimeSpan.FromSeconds(10);
    private readonly DateTime _startedAt = DateTime.UtcNow;

    private sealed class HealCheck
    {
        public static readonly HealCheck Instance = new();
    }

    /// <summary>
    /// The rebuild whose copy runs in the engine of <paramref name="Epoch"/>, and its last progress report.
    /// <paramref name="CatchUp"/>: it is a returning replica's delta catch-up, not a new replica's rebuild.
    /// </summary>
    private sealed record RebuildState(string ReplicaId, string Node, string? Replaces, long Epoch, DateTimeOffset Started, RebuildProgress? Progress = null, bool CatchUp = false,
        string? Snapshot = null);

    /// <summary>A finished rebuild's snapshot, to be deleted (marked removed, for the next purge) once no workflow runs.</summary>
    private string? _retireSnapshot;

    /// <summary>
    /// Not before: a node that just came back may drop out of the membership for a few seconds while its old incarnation is
    /// removed, and an operation then would fail its replica (found in a test run: the catch-up's replica failed the delete).
    /// </summary>
    private DateTimeOffset _retireAt;

    private static readonly TimeSpan RetireAfter = TimeSpan.FromSeconds(15);

    private RebuildState? _rebuild;
    private DateTimeOffset _nextRebuildAt;
    private string? _lastHealProblem;

    protected override void PreStart()
    {
        base.PreStart();
        Timers.StartPeriodicTimer("heal", HealCheck.Instance, HealEvery);
    }

    /// <summary>Runs only between workflows: a rebuild is started as one.</summary>
    private void OnHealCheck()
    {
        // A volume being restored heals once restored: a rebuild now would copy half a restore.
        if (_activity is not null || !_record.Exists || !_record.CreateDone || _record.RestoringFrom is not null || _record.Standby || _record.Pending is not null || _detaching is not null) return;
        // A rebuild this controller did not start (it recovered since) is followed once its engine reports: give it that long.
        var settled = DateTime.UtcNow - _startedAt > RebuildReportGrace;
        var orphaned = _record.Replicas.FirstOrDefault(r => r.Mode == ReplicaMode.WriteOnly
            && (_rebuild is { } b ? _engine is null || b.ReplicaId != r.Id || b.Epoch != _record.Epoch : settled));
        if (orphaned is not null)
        {
            if (_rebuild?.ReplicaId == orphaned.Id) _rebuild = null;
            AbandonRebuild(orphaned.Id, "its rebuild stopped with the engine that ran it");
            return;
        }
        if (_rebuild is { } stuck && _record.Replicas.All(r => r.Id != stuck.ReplicaId || r.Mode != ReplicaMode.WriteOnly)) _rebuild = null;
        if (_rebuild is not null) return;
        if (_retireSnapshot is { } retired && DateTimeOffset.UtcNow >= _retireAt)
        {
            // Every rebuild takes a snapshot; left alone they would fill the snapshot limit. Deleted, the next purge reclaims it.
            _retireSnapshot = null;
            var delete = new OperationRequested(Guid.NewGuid(), OperationKind.DeleteSnapshot, retired, 0, false, null);
            Persist(delete, e =>
            {
                Record(e);
                RunOperation(delete, ActorRefs.Nobody);
            });
            return;
        }
        var now = DateTimeOffset.UtcNow;
        var readWrite = _record.Replicas.Count(r => r.Mode == ReplicaMode.ReadWrite);
        var failed = _record.Replicas.Where(r => r.Mode == ReplicaMode.Error).OrderBy(r => r.FailedAt).ToArray();
        if (readWrite >= _record.ReplicaCount && failed.Length > 0)
        {
            // Healthy again: failed replicas left over (replaced, or back too late) go.
            RemoveReplica(failed[0].Id, "the volume has all its replicas without it");
            return;
        }
        if (readWrite == 0) return; // faulted: a salvage, not a rebuild
        // A replica that failed recently may be back: it catches up (VolumeActor.CatchUp.cs) instead of being rebuilt.
        if (failed.FirstOrDefault(MayCatchUp) is { } away && _probing is null && now >= _nextProbeAt.GetValueOrDefault(away.Id)) Probe(away);
        var due = failed.FirstOrDefault(r => r.Fault == ReplicaFault.Untrusted || r.NoCatchUp is not null || _noCatchUp.ContainsKey(r.Id) || r.FailedAt is null
            || now - r.FailedAt >= _host.Settings.ReplicaReplenishmentWait);
        // What to replace now: a failed replica that is due, a missing one no returning replica will fill, or, the volume
        // whole, an evicted one (one at a time). Replicas that failed recently may still come back and catch up.
        var replace = readWrite >= _record.ReplicaCount
            ? _record.Replicas.FirstOrDefault(r => r.Evicting && r.Mode == ReplicaMode.ReadWrite)?.Id
            : due?.Id ?? (readWrite + failed.Length < _record.ReplicaCount ? "" : null);
        var rebuild = replace is not null && now >= _nextRebuildAt;
        var catchUp = _catchUpReady is { } ready && failed.Any(r => r.Id == ready && MayCatchUp(r));
        if (_engine is null)
        {
            // Detached (or its engine not found yet): an offline rebuild heals it (VolumeActor.Offline.cs).
            if ((rebuild || catchUp) && _record.AttachedTo is null && now >= _nextMaintenanceAt)
                StartMaintenance(catchUp ? $"replica {_catchUpReady} is back to catch up" : replace == "" ? "missing a replica" : $"replica {replace} is to be replaced");
            return;
        }
        if (rebuild) StartRebuild(replace == "" ? null : replace);
        else if (!catchUp) EndMaintenance("nothing more to heal now");
        RemindEngine();
    }

    private void StartRebuild(string? replaces)
    {
        _catchUpReady = null;
        var engine = _engine!;
        var place = new PlaceReplicas(_record.Name, _record.Size, 1, _record.Replicas.Select(r => new Placement(r.Node, r.Disk)).ToArray(),
            OtherNodesOnly: !(_record.SoftAntiAffinity ?? _host.Settings.SoftAntiAffinity));
        var nodes = _host.Nodes;
        var timeout = _host.Settings.ReplicaCommandTimeout;
        Run(() => nodes.Ask<object>(place, timeout), activity: "rebuilding", then: placed =>
        {
            if (placed is not Placed { Placements: [var where] })
            {
                var why = placed is NotPlaced n ? n.Detail : $"placement answered {placed.GetType().Name}";
                if (why != _lastHealProblem) _log.Warning("Volume {Volume} is {Robustness} and cannot be rebuilt now: {Why}", _record.Name, _record.Robustness, why);
                _lastHealProblem = why;
                _nextRebuildAt = DateTimeOffset.UtcNow + RetryRebuildAfter;
                Finish();
                return;
            }
            _lastHealProblem = null;
            var added = new ReplicaAdded(NewReplicaId(_record.Name), where.Node, where.Disk, replaces, DateTimeOffset.UtcNow);
            Persist(added, e =>
            {
                Record(e);
                _log.Info("Volume {Volume}: rebuilding a replica as {Replica} on node {Node} disk {Disk}{Replacing}", _record.Name, e.ReplicaId, e.Node, e.Disk,
                    replaces is null ? "" : $", replacing {replaces}");
                JoinReplica(e.ReplicaId, e.Node, e.Disk, replaces, engine, null, RebuildSnapshotName());
            });
        });
    }

    private static string RebuildSnapshotName() => $"rebuild-{Guid.NewGuid():N}"[..16];

    /// <summary>
    /// Has the engine take the replica write-only (a new one is created first; a returning one was prepared by its catch-up),
    /// then takes the rebuild's snapshot <paramref name="snapshotName"/> and starts the copy: whole, or the <paramref name="catchUp"/>.
    /// </summary>
    private void JoinReplica(string replicaId, string node, string disk, string? replaces, EngineLink engine, CatchUpPlan? catchUp, string snapshotName)
    {
        var create = catchUp is not null ? null
            : new ReplicaProtocol.CreateReplica(node, replicaId, Guid.NewGuid(), _record.Name, _record.Id, disk, _record.Size, engine.Epoch, Rebuilding: true);
        var join = new AddReplica(engine.Node, _record.Name, _record.Id, engine.Epoch, new EngineReplica(replicaId, node, disk, null));
        var calls = _calls;
        var nodes = _host.Nodes;
        var timeout = _host.Settings.ReplicaCommandTimeout;
        Run(async () =>
        {
            if (create is not null && await calls.AskAsync(create).ConfigureAwait(false) is var created && ReplicaCalls.StatusOf(created) != Blocks.ReplicaStatus.Ok)
                return created is ReplicaProtocol.Done { Status: ReplicaOutcome.Busy } ? $"busy: {ReplicaCalls.DetailOf(created)}" : $"create: {ReplicaCalls.DetailOf(created)}";
            return await AskEngine(nodes, join, timeout * 2).ConfigureAwait(false) is ReplicaJoined ? null : "the engine did not take it";
        }, then: failure =>
        {
            if (failure?.StartsWith("busy: ", StringComparison.Ordinal) == true)
            {
                // Nothing was made there: the replacement is forgotten, and tried again shortly (maybe elsewhere).
                _nextRebuildAt = DateTimeOffset.UtcNow + BusyRetry;
                RemoveReplica(replicaId, failure[6..]);
                Finish();
                return;
            }
            if (failure is not null || _engine != engine)
            {
                FailRebuild(replicaId, failure ?? "the engine changed while it joined");
                Finish();
                return;
            }
            var snapshot = new OperationRequested(Guid.NewGuid(), OperationKind.Snapshot, snapshotName, 0, UserCreated: false, null);
            Persist(snapshot, e =>
            {
                Record(e);
                RunOperation(snapshot, ActorRefs.Nobody, andThen: succeeded =>
                {
                    if (!succeeded || _engine != engine || _record.Replicas.All(r => r.Id != replicaId || r.Mode != ReplicaMode.WriteOnly))
                        FailRebuild(replicaId, "the rebuild's snapshot was not taken on it");
                    else
                    {
                        _rebuild = new RebuildState(replicaId, node, replaces, engine.Epoch, DateTimeOffset.UtcNow, CatchUp: catchUp is not null, Snapshot: snapshotName);
                        Tell(new CopyReplica(engine.Node, _record.Name, engine.Epoch, replicaId, node, catchUp));
                    }
                    Finish();
                });
            });
        });
    }

    private void OnRebuildProgress(RebuildProgress p)
    {
        if (_rebuild is { } r && r.ReplicaId == p.ReplicaId && r.Epoch == p.Epoch) _rebuild = r with { Progress = p };
        else if (_rebuild is null && p.Epoch == _record.Epoch && _record.Replicas.FirstOrDefault(x => x.Id == p.ReplicaId) is { Mode: ReplicaMode.WriteOnly } replica)
        {
            // This controller recovered (it moved, its node restarted) while the engine went on copying: follow that rebuild.
            _rebuild = new RebuildState(p.ReplicaId, replica.Node, null, p.Epoch, DateTimeOffset.UtcNow, p, IsCatchingUp(p.ReplicaId));
        }
    }

    private void OnRebuildFinished(RebuildFinished f)
    {
        var replyTo = Sender;
        var recorded = new RebuildRecorded(_record.Name, f.ReplicaId);
        var current = _record.Replicas.FirstOrDefault(r => r.Id == f.ReplicaId);
        if (_rebuild is { } running && running.ReplicaId == f.ReplicaId && current?.Mode != ReplicaMode.WriteOnly)
        {
            // The new replica failed through the I/O path meanwhile: this rebuild is over; the next check tries again later.
            _rebuild = null;
            _nextRebuildAt = DateTimeOffset.UtcNow + RetryRebuildAfter;
        }
        var rebuild = _rebuild ?? (current is { Mode: ReplicaMode.WriteOnly } && f.Epoch == _record.Epoch
            ? new RebuildState(f.ReplicaId, current.Node, null, f.Epoch, DateTimeOffset.UtcNow, CatchUp: IsCatchingUp(f.ReplicaId)) // recovered since it started: finish it
            : null);
        if (rebuild is null || rebuild.ReplicaId != f.ReplicaId || rebuild.Epoch != f.Epoch || current?.Mode != ReplicaMode.WriteOnly)
        {
            replyTo.Tell(recorded); // an old report: nothing left to do for it
            return;
        }
        _rebuild = null;
        if (!f.Succeeded)
        {
            _retireSnapshot = rebuild.Snapshot ?? _record.RebuildSnapshot;
            _retireAt = DateTimeOffset.UtcNow + RetireAfter;
            _nextRebuildAt = DateTimeOffset.UtcNow + RetryRebuildAfter;
            FailRebuild(f.ReplicaId, f.Detail);
            replyTo.Tell(recorded);
            return;
        }
        var now = DateTimeOffset.UtcNow;
        Persist<IVolumeEvent>(rebuild.CatchUp ? new ReplicaCaughtUp(f.ReplicaId, f.Copied, now, f.Detail) : new ReplicaRebuilt(f.ReplicaId, f.Copied, now, f.Detail), e =>
        {
            Record(e);
            _log.Info("Volume {Volume}: replica {Replica} {How} in {Seconds:0.0} s ({Detail}); volume is {Robustness}", _record.Name, f.ReplicaId,
                rebuild.CatchUp ? "caught up" : "rebuilt", (now - rebuild.Started).TotalSeconds, f.Detail, _record.Robustness);
            if (_engine is { } engine) Tell(new PromoteReplica(engine.Node, _record.Name, engine.Epoch, f.ReplicaId));
            if (rebuild.Replaces is { } old && _record.Replicas.Any(r => r.Id == old && (r.Mode == ReplicaMode.Error || r.Evicting)))
                RemoveReplica(old, $"replaced by {f.ReplicaId}");
            EndTrackingIfWhole();
            _retireSnapshot = rebuild.Snapshot ?? _record.RebuildSnapshot;
            _retireAt = now + RetireAfter;
            replyTo.Tell(recorded);
        });
    }

    /// <summary>The new replica cannot be finished: failed (never salvaged: it holds part of the data), dropped by the engine, and removed.</summary>
    private void FailRebuild(string replicaId, string why)
    {
        _log.Warning("Volume {Volume}: the rebuild of replica {Replica} failed: {Why}", _record.Name, replicaId, why);
        AbandonRebuild(replicaId, $"rebuild failed: {why}");
    }

    private void AbandonRebuild(string replicaId, string why)
    {
        _nextRebuildAt = DateTimeOffset.UtcNow + RetryRebuildAfter; // every way a rebuild ends unfinished waits before the next
        PersistFailures([new ReplicaFailure(replicaId, Blocks.ReplicaStatus.Failed, why)], () => RemoveReplica(replicaId, why));
    }

    /// <summary>
    /// Forgets a replica and deletes its directory if its node answers (a node that is away deletes it when it comes back).
    /// One still in the engine's set (an evicted one, in sync) leaves it first; a read it was serving goes to another.
    /// </summary>
    private void RemoveReplica(string replicaId, string why)
    {
        if (_record.Replicas.FirstOrDefault(r => r.Id == replicaId) is not { } replica) return;
        Persist(new ReplicaRemoved(replicaId, why, DateTimeOffset.UtcNow), e =>
        {
            Record(e);
            EndTrackingIfWhole();
            if (replica.Mode != ReplicaMode.Error && _engine is { } engine) Tell(new DropReplicas(engine.Node, _record.Name, engine.Epoch, [replicaId]));
            _log.Info("Volume {Volume}: replica {Replica} on node {Node} removed: {Why}", _record.Name, replicaId, replica.Node, why);
            _ = _calls.AskAsync(new ReplicaProtocol.RemoveReplica(replica.Node, replicaId, Guid.NewGuid()));
        });
    }

    /// <summary>
    /// Eviction (DESIGN §5): the replicas on the node (or disk) are marked and, one at a time, rebuilt elsewhere and then
    /// removed, the volume keeping all its replicas meanwhile. Failed replicas there are removed at once: nothing to move.
    /// A detached volume's replicas move once it is attached (a rebuild needs a running engine).
    /// </summary>
    private void OnEvictReplicas(EvictReplicas e)
    {
        var replyTo = Sender;
        if (!_record.Exists)
        {
            replyTo.Tell(NotFound());
            return;
        }
        var there = _record.Replicas.Where(r => r.Node == e.Node && (e.Disk is null || r.Disk == e.Disk)).ToArray();
        var now = DateTimeOffset.UtcNow;
        var marks = there.Where(r => r.Mode != ReplicaMode.Error && !r.Evicting).Select(r => new ReplicaEvictionRequested(r.Id, now)).ToArray();
        var answer = new EvictionAccepted(_record.Name, there.Count(r => r.Mode != ReplicaMode.Error), _record.AttachedTo is not null && !InMaintenance);
        foreach (var failed in there.Where(r => r.Mode == ReplicaMode.Error)) RemoveReplica(failed.Id, $"node {e.Node} is evicted");
        if (marks.Length == 0)
        {
            replyTo.Tell(answer);
            return;
        }
        var left = marks.Length;
        PersistAll(marks, m =>
        {
            Record(m);
            _log.Info("Volume {Volume}: replica {Replica} on node {Node} is to be evicted", _record.Name, m.ReplicaId, e.Node);
            if (--left == 0) replyTo.Tell(answer);
        });
    }

    /// <summary>Snapshot deletes and purges wait for a running rebuild: they would change the layers it copies.</summary>
    private bool RebuildRefuses(IActorRef replyTo)
    {
        if (_rebuild is not { } r) return false;
        var progress = r.Progress is { Total: > 0 } p ? $" ({100.0 * p.Done / p.Total:0}% done)" : "";
        replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' is rebuilding replica {r.ReplicaId}{progress}; snapshots can be deleted and purged once it is done"));
        return true;
    }

    private RebuildView? RebuildViewOf() => _rebuild is not { } r ? null : new RebuildView(r.ReplicaId, r.Node, r.Replaces, r.Started,
        r.Progress?.Source, r.Progress?.Done ?? 0, r.Progress?.Total ?? 0, r.Progress?.Copied ?? 0, r.Progress?.BytesPerSecond ?? 0);
}
