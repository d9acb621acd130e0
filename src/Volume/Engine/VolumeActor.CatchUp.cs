using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Volume.Protocol.EngineProtocol;
using static ActorStore.Volume.Protocol.ReplicaProtocol;
using static ActorStore.Volume.Protocol.VolumeEvents;

namespace ActorStore.Volume.Engine;

// Delta catch-up (DESIGN §3, §5). A replica that failed for a reason that leaves its data intact (a lost connection,
// a node that restarted, a timeout) is asked, every few seconds while the replenishment wait runs, whether it is back.
// The question runs beside the controller, which stays free for other commands. Once the replica answers, a short
// workflow compares its snapshots with a healthy replica's (CatchUpRules), turns its old head into the staged first
// layer it lacks, and it joins the engine write-only as a rebuild's new replica does; the engine then copies only the
// regions the healthy replicas tracked while it was away and the layers taken since. A replica that cannot catch up
// (its snapshots differ, it will not open) is left to the rebuild, at once.
public sealed partial class VolumeActor
{
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, DateTimeOffset> _nextProbeAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _noCatchUp = new(StringComparer.Ordinal);
    private string? _probing;

    /// <summary>A replica of a detached volume that answered its probe: an offline rebuild's engine starts for its catch-up.</summary>
    private string? _catchUpReady;

    private sealed record CatchUpProbed(string ReplicaId, bool Answered);

    /// <summary>How the start of a catch-up went: the plan, or why not and whether to ask again later.</summary>
    private sealed record CatchUpStart(CatchUpPlan? Plan, string Why, bool Retry);

    private bool MayCatchUp(VolumeRecord.ReplicaRecord r) =>
        r.Mode == ReplicaMode.Error && r.Fault != ReplicaFault.Untrusted && r.NoCatchUp is null && !_noCatchUp.ContainsKey(r.Id)
        && r.FailedAt is { } at && DateTimeOffset.UtcNow - at < _host.Settings.ReplicaReplenishmentWait;

    /// <summary>Asks the away replica's node, outside any workflow, whether the replica answers again.</summary>
    private void Probe(VolumeRecord.ReplicaRecord away)
    {
        _probing = away.Id;
        _nextProbeAt[away.Id] = DateTimeOffset.UtcNow + ProbeEvery;
        _calls.AskAsync(new ListLayers(away.Node, away.Id, Guid.NewGuid()), ProbeTimeout)
            .ContinueWith(t => new CatchUpProbed(away.Id, t.IsCompletedSuccessfully && t.Result is LayerList), TaskScheduler.Default)
            .PipeTo(Self);
    }

    private void OnCatchUpProbed(CatchUpProbed p)
    {
        _probing = null;
        if (!p.Answered) return;
        if (_engine is null && _record.AttachedTo is null) _catchUpReady = p.ReplicaId; // detached: the next check heals it offline
        if (_activity is not null || _rebuild is not null || _engine is not { } engine || _record.Pending is not null || _detaching is not null) return;
        if (_record.Replicas.FirstOrDefault(r => r.Id == p.ReplicaId) is not { } away || !MayCatchUp(away)) return;
        if (_record.Replicas.FirstOrDefault(r => r.Mode == ReplicaMode.ReadWrite) is not { } healthy) return;
        StartCatchUp(away, healthy, engine);
    }

    private void StartCatchUp(VolumeRecord.ReplicaRecord away, VolumeRecord.ReplicaRecord healthy, EngineLink engine)
    {
        _catchUpReady = null;
        var calls = _calls;
        var snapshotName = RebuildSnapshotName();
        Run(async () =>
        {
            var mine = await calls.AskAsync(new ListLayers(away.Node, away.Id, Guid.NewGuid())).ConfigureAwait(false);
            if (mine is not LayerList returning) return new CatchUpStart(null, $"it did not list its snapshots: {ReplicaCalls.DetailOf(mine)}", Retry: true);
            var theirs = await calls.AskAsync(new ListLayers(healthy.Node, healthy.Id, Guid.NewGuid())).ConfigureAwait(false);
            if (theirs is not LayerList healthyLayers) return new CatchUpStart(null, $"the healthy replica {healthy.Id} did not list its snapshots: {ReplicaCalls.DetailOf(theirs)}", Retry: true);
            var plan = CatchUpRules.Decide(returning, healthyLayers, snapshotName);
            if (plan.Patch is null) return new CatchUpStart(null, plan.Refusal!, Retry: false);
            foreach (var deleted in plan.Remove)
            {
                var marked = await calls.AskAsync(new DeleteSnapshot(away.Node, away.Id, Guid.NewGuid(), deleted)).ConfigureAwait(false);
                if (ReplicaCalls.StatusOf(marked) != Blocks.ReplicaStatus.Ok)
                    return new CatchUpStart(null, $"it could not mark snapshot {deleted}, deleted while it was away, removed: {ReplicaCalls.DetailOf(marked)}", Retry: true);
            }
            var begun = await calls.AskAsync(new BeginCatchUp(away.Node, away.Id, Guid.NewGuid(), plan.Patch)).ConfigureAwait(false);
            if (begun is not CatchUpBegun b)
                return new CatchUpStart(null, $"it could not start: {ReplicaCalls.DetailOf(begun)}", Retry: begun is Done { Status: ReplicaOutcome.Busy });
            return new CatchUpStart(new CatchUpPlan(plan.Have, plan.Patch, b.Dirty), "", Retry: false);
        }, activity: "catching up", then: result =>
        {
            if (result.Plan is not null && (_engine != engine || _record.Replicas.FirstOrDefault(r => r.Id == away.Id) is not { Mode: ReplicaMode.Error }))
            {
                // Removed, evicted or otherwise changed meanwhile, or the engine changed: its head is staged now; it can only be replaced.
                _noCatchUp[away.Id] = "its catch-up began while the volume changed";
                _log.Warning("Volume {Volume}: replica {Replica} changed while its catch-up began; it is replaced instead", _record.Name, away.Id);
                Finish();
                return;
            }
            if (result.Plan is not { } plan)
            {
                if (!result.Retry)
                {
                    _noCatchUp[away.Id] = result.Why;
                    _log.Warning("Volume {Volume}: replica {Replica} on node {Node} is back but cannot catch up ({Why}); it is replaced by a rebuild", _record.Name, away.Id, away.Node, result.Why);
                }
                Finish();
                return;
            }
            Persist(new ReplicaRejoined(away.Id, plan.Patch, DateTimeOffset.UtcNow), e =>
            {
                Record(e);
                _log.Info("Volume {Volume}: replica {Replica} on node {Node} is back; catching up ({Regions} region(s) of its own to redo, its old head becomes layer {Patch})",
                    _record.Name, away.Id, away.Node, plan.Dirty.Count, plan.Patch);
                JoinReplica(away.Id, away.Node, away.Disk, null, engine, plan, snapshotName);
            });
        });
    }

    /// <summary>The rebuild a recovered controller follows is a catch-up when that is the last thing the replica's history says.</summary>
    private bool IsCatchingUp(string replicaId) => _record.History.LastOrDefault(h => h.Replica == replicaId)?.Kind == "catch-up-started";

    /// <summary>No replica is away or being brought back: the engine stops tracking writes and the replicas forget their absent logs.</summary>
    private void EndTrackingIfWhole()
    {
        if (_engine is not { } engine || AnyAway) return;
        _endTrackingSent = DateTimeOffset.UtcNow;
        Tell(new EndTracking(engine.Node, _record.Name, engine.Epoch, _record.Replicas.Select(r => r.Id).ToArray()));
    }

    /// <summary>
    /// Now and then while the volume is whole: what the engine may have missed (both are sent once, with no answer) — that no
    /// replica is away, and that each replica is read-write (a promotion lost would leave a rebuilt one write-only there).
    /// </summary>
    private void RemindEngine()
    {
        if (_engine is not { } engine || AnyAway || DateTimeOffset.UtcNow - _endTrackingSent < EndTrackingAgain) return;
        foreach (var r in _record.Replicas) Tell(new PromoteReplica(engine.Node, _record.Name, engine.Epoch, r.Id));
        EndTrackingIfWhole();
    }

    /// <summary>When the engine was last told the volume is whole.</summary>
    private DateTimeOffset _endTrackingSent;

    private static readonly TimeSpan EndTrackingAgain = TimeSpan.FromSeconds(30);

    /// <summary>Whether an engine started now tracks writes: some replica is away and may come back.</summary>
    private bool AnyAway => _record.Replicas.Any(r => r.Mode != ReplicaMode.ReadWrite);
}
