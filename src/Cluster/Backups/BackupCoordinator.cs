using ActorStore.Backup;
using ActorStore.Backup.Targets;
using ActorStore.Cluster.Protocol;
using ActorStore.Volume;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using static ActorStore.Cluster.Backups.BackupEvents;
using static ActorStore.Cluster.Backups.BackupProtocol;

namespace ActorStore.Cluster.Backups;

/// <summary>
/// The cluster's backups (a persistent cluster singleton, DESIGN §7): holds the backup target, starts each backup —
/// takes its snapshot through the volume, picks a healthy replica and hands the work to that node's
/// <see cref="BackupRunner"/> — and follows it to its end. A restore creates the new volume restoring (not attachable),
/// has every replica's node write the backup into its replica, then lets the volume go; a restore that fails deletes the
/// volume it made. A standby (disaster-recovery) volume is restored the same way, then polls the target and takes each
/// newer backup of its source incrementally, until it is activated. It reads the target only to poll for standbys and
/// never waits: the work runs on the replicas' nodes, which report progress. A run whose nodes go silent is failed.
/// </summary>
public sealed partial class BackupCoordinator : ReceivePersistentActor, IWithTimers
{
    public const string Name = "backups";
    public const string ProxyName = "backups-proxy";
    private readonly IActorRef _volumes;
    private readonly IActorRef _nodes;
    private readonly TimeSpan _askTimeout;
    private readonly RunTable _runs;
    private readonly HashSet<string> _preparing = new(StringComparer.Ordinal);
    private readonly TimeSpan _standbyPoll;
    private readonly int _snapshotEvery;
    // Standby volumes: the volume whose backups each follows, and the backup it holds (null until its first restore is done).
    private readonly Dictionary<string, (string Source, string? Applied)> _standbys = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private TargetView _target = new(null, null, null);

    private sealed record Prepared(string Id, string Volume, Guid VolumeId, string Snapshot, string ReplicaId, string Node, Dictionary<string, string> Labels, IActorRef ReplyTo);

    private sealed record NotPrepared(string Volume, object Answer, IActorRef ReplyTo);

    private sealed record RestorePrepared(string Id, StartRestore Request, VolumeProtocol.VolumeView Volume, IActorRef ReplyTo);

    /// <summary>The volume took the end of its restore (<paramref name="Error"/> null), or would not.</summary>
    private sealed record RestoreReleased(string Id, string? Error);

    private sealed record CheckStale
    {
        public static readonly CheckStale Instance = new();
    }

    public BackupCoordinator(IActorRef volumes, IActorRef nodes, TimeSpan askTimeout, TimeSpan silence, TimeSpan standbyPoll, int snapshotEvery)
    {
        _volumes = volumes;
        _snapshotEvery = snapshotEvery;
        _nodes = nodes;
        _askTimeout = askTimeout;
        _standbyPoll = standbyPoll;
        _runs = new RunTable(silence);
        Recover<SnapshotOffer>(o => Restore((BackupsSnapshot)o.Snapshot));
        Recover<StandbyAdded>(e => _standbys[e.Volume] = (e.Source, null));
        Recover<StandbyApplied>(e => Applied(e.Volume, e.Backup));
        Recover<StandbyRemoved>(e => _standbys.Remove(e.Volume));
        Recover<TargetSet>(Apply);
        Recover<RunStarted>(Apply);
        Recover<RunFinished>(e => _runs.Finish(e.Id, e.Error, e.At));
        Command<SaveSnapshotSuccess>(s =>
        {
            if (SnapshotRetention.Older(s.Metadata) is { } older) DeleteSnapshots(older);
        });
        Command<SaveSnapshotFailure>(f => _log.Warning("Backups: snapshot not saved ({0}); recovery replays more events", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
        Command<SetTarget>(s => Persisted(new TargetSet(s.Address, s.AccessKey, s.SecretKey), e =>
        {
            Apply(e);
            _log.Info("Backup target set to {Target}", e.Address);
            Sender.Tell(_target);
        }));
        Command<GetTarget>(_ => Sender.Tell(_target));
        Command<ListRuns>(_ => Sender.Tell(new Runs(_runs.View())));
        Command<StartBackup>(OnStart);
        Command<Prepared>(OnPrepared);
        Command<NotPrepared>(n =>
        {
            _preparing.Remove(n.Volume);
            n.ReplyTo.Tell(n.Answer);
        });
        Command<StartRestore>(OnStartRestore);
        Command<RestorePrepared>(OnRestorePrepared);
        Command<RunProgress>(p => _runs.Progress(p.Id, p.Part, p.Done, p.Total, DateTimeOffset.UtcNow));
        Command<RunEnded>(OnRunEnded);
        Command<RestoreReleased>(r => Finish(r.Id, r.Error));
        Command<NodeProtocol.NodeRefused>(r =>
        {
            foreach (var id in _runs.Unheard(r.Node)) Finish(id, $"node {r.Node} could not be told to run it: {r.Detail}");
        });
        Command<CheckStale>(_ =>
        {
            foreach (var (id, why) in _runs.Stale(DateTimeOffset.UtcNow)) Finish(id, why);
        });
        Command<PollStandbys>(_ => Poll());
        Command<StandbyPolled>(OnStandbyPolled);
        Command<ActivateStandby>(OnActivate);
        Command<StandbyActivatedNote>(n =>
        {
            if (_standbys.ContainsKey(n.Volume)) Persisted(new StandbyRemoved(n.Volume), e => _standbys.Remove(e.Volume));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => "backups";

    public static Props Props(IActorRef volumes, IActorRef nodes, TimeSpan askTimeout, TimeSpan silence, TimeSpan standbyPoll, int snapshotEvery) =>
        Akka.Actor.Props.Create(() => new BackupCoordinator(volumes, nodes, askTimeout, silence, standbyPoll, snapshotEvery));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("stale", CheckStale.Instance, TimeSpan.FromSeconds(5));
        Timers.StartPeriodicTimer("standbys", PollStandbys.Instance, _standbyPoll);
    }

    private void Applied(string volume, string backup)
    {
        if (_standbys.TryGetValue(volume, out var s)) _standbys[volume] = (s.Source, backup);
    }

    private static string NewRestoreId() => $"restore-{DateTimeOffset.UtcNow.UtcDateTime:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}";

    private void Apply(TargetSet e) => _target = new TargetView(e.Address, e.AccessKey, e.SecretKey);

    private void Apply(RunStarted e) => _runs.Start(e.Id, e.Kind ?? RunTable.Backup, e.Volume, e.Snapshot, e.Node, e.At, DateTimeOffset.UtcNow, e.Parts);

    /// <summary>Persists, handles, and every <c>snapshotEvery</c> events saves a snapshot (two events per backup and volume).</summary>
    private void Persisted<TEvent>(TEvent e, Action<TEvent> then) => Persist(e, persisted =>
    {
        then(persisted);
        if (LastSequenceNr % _snapshotEvery != 0) return;
        var (started, ended) = _runs.ToEvents();
        SaveSnapshot(new BackupsSnapshot(_target.Address is { } a ? new TargetSet(a, _target.AccessKey, _target.SecretKey) : null, started, ended,
            _standbys.Select(s => new StandbyAdded(s.Key, s.Value.Source)).ToArray(),
            _standbys.Where(s => s.Value.Applied is not null).Select(s => new StandbyApplied(s.Key, s.Value.Applied!)).ToArray()));
    });

    /// <summary>Recovery offers the snapshot first, to the empty state.</summary>
    private void Restore(BackupsSnapshot snapshot)
    {
        if (snapshot.Target is { } target) Apply(target);
        foreach (var e in snapshot.Runs) Apply(e);
        foreach (var e in snapshot.Ended) _runs.Finish(e.Id, e.Error, e.At);
        foreach (var e in snapshot.Standbys) _standbys[e.Volume] = (e.Source, null);
        foreach (var e in snapshot.Applied) Applied(e.Volume, e.Backup);
    }

    private void OnStart(StartBackup s)
    {
        var replyTo = Sender;
        if (_target.Address is null)
        {
            replyTo.Tell(Refuse(s.Volume, VolumeError.WrongState, "no backup target is set; set one first: pbm backup target set dir:///path or s3://bucket/prefix?endpoint=URL"));
            return;
        }
        var running = _runs.RunningOf(s.Volume);
        if (running is not null || _preparing.Contains(s.Volume))
        {
            replyTo.Tell(Refuse(s.Volume, VolumeError.WrongState, $"a backup of volume '{s.Volume}' is running{(running is null ? "" : $" ({running})")}; wait for it to end (pbm backup list {s.Volume})"));
            return;
        }
        _preparing.Add(s.Volume);
        var id = StoreLayout.NewBackupId(DateTimeOffset.UtcNow);
        PrepareAsync(id, s, replyTo).PipeTo(Self, failure: e => new NotPrepared(s.Volume,
            Refuse(s.Volume, VolumeError.Internal, $"preparing the backup failed ({e.Message}); the node's log has more"), replyTo));
    }

    /// <summary>Takes the snapshot (when none was named) and picks the replica to read: all through the volume, off the actor's thread.</summary>
    private async Task<object> PrepareAsync(string id, StartBackup s, IActorRef replyTo)
    {
        var labels = new Dictionary<string, string>(s.Labels ?? [], StringComparer.Ordinal);
        var snapshot = s.Snapshot ?? id;
        var answer = s.Snapshot is null
            ? await AskVolume(new VolumeProtocol.CreateSnapshot(s.Volume, snapshot, UserCreated: false, new Dictionary<string, string>(labels) { ["backup"] = id })).ConfigureAwait(false)
            : await AskVolume(new VolumeProtocol.ListSnapshots(s.Volume)).ConfigureAwait(false);
        if (answer is not VolumeProtocol.Snapshots list) return new NotPrepared(s.Volume, answer, replyTo);
        if (!list.Items.Any(x => x.Name == snapshot && !x.Removed))
            return new NotPrepared(s.Volume, Refuse(s.Volume, VolumeError.NotFound, $"volume '{s.Volume}' has no snapshot '{snapshot}'; `pbm snapshot list {s.Volume}` shows them"), replyTo);
        if (await AskVolume(new VolumeProtocol.Get(s.Volume)).ConfigureAwait(false) is not VolumeProtocol.VolumeView view)
            return new NotPrepared(s.Volume, Refuse(s.Volume, VolumeError.Unavailable, $"volume '{s.Volume}' did not answer; retry"), replyTo);
        if (view.Replicas.FirstOrDefault(r => r.Mode == ReplicaMode.ReadWrite && r.Failure is null) is not { } replica)
            return new NotPrepared(s.Volume, Refuse(s.Volume, VolumeError.Unavailable, $"volume '{s.Volume}' has no healthy replica to back up from"), replyTo);
        return new Prepared(id, s.Volume, view.Id, snapshot, replica.Id, replica.Node, labels, replyTo);
    }

    /// <summary>Creating a volume creates its replicas (each up to the replica command timeout): an answer is waited for longer than an ask.</summary>
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromMinutes(3);

    private async Task<object> AskVolume(IWithVolumeName command, TimeSpan? within = null)
    {
        var timeout = within ?? _askTimeout;
        try
        {
            return await _volumes.Ask<object>(command, timeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return Refuse(command.Volume, VolumeError.Unavailable, $"volume '{command.Volume}' did not answer within {timeout.TotalSeconds:0} s; retry");
        }
    }

    private void OnPrepared(Prepared p)
    {
        var now = DateTimeOffset.UtcNow;
        Persisted(new RunStarted(p.Id, p.Volume, p.Snapshot, p.Node, now, RunTable.Backup), e =>
        {
            _preparing.Remove(p.Volume);
            _runs.Start(e.Id, RunTable.Backup, e.Volume, e.Snapshot, e.Node, e.At, now);
            _nodes.Tell(new RunBackup(p.Node, p.Id, p.Volume, p.VolumeId, p.Snapshot, p.ReplicaId, _target, p.Labels));
            _log.Info("Backup {Backup} of volume {Volume} (snapshot {Snapshot}) runs on node {Node} from replica {Replica}", p.Id, p.Volume, p.Snapshot, p.Node, p.ReplicaId);
            p.ReplyTo.Tell(_runs.View().First(r => r.Id == p.Id));
        });
    }

    private void OnStartRestore(StartRestore s)
    {
        var replyTo = Sender;
        if (_target.Address is null)
        {
            replyTo.Tell(Refuse(s.Volume, VolumeError.WrongState, "no backup target is set; set one first: pbm backup target set dir:///path or s3://bucket/prefix?endpoint=URL"));
            return;
        }
        if (!_preparing.Add(s.Volume))
        {
            replyTo.Tell(Refuse(s.Volume, VolumeError.WrongState, $"volume '{s.Volume}' is being created for a restore already"));
            return;
        }
        var id = NewRestoreId();
        AskVolume(new VolumeProtocol.Create(s.Volume, s.Size, s.Replicas, RestoringFrom: s.Backup, Standby: s.Standby), CreateTimeout).PipeTo(Self,
            success: answer => answer is VolumeProtocol.VolumeView view ? new RestorePrepared(id, s, view, replyTo) : new NotPrepared(s.Volume, answer, replyTo),
            failure: e => new NotPrepared(s.Volume, Refuse(s.Volume, VolumeError.Internal, $"creating the volume failed ({e.Message})"), replyTo));
    }

    private void OnRestorePrepared(RestorePrepared p)
    {
        var now = DateTimeOffset.UtcNow;
        var parts = p.Volume.Replicas.Select(r => r.Id).ToArray();
        if (p.Request.Standby) Persisted(new StandbyAdded(p.Request.Volume, p.Request.BackupVolume), e => _standbys[e.Volume] = (e.Source, null));
        Persisted(new RunStarted(p.Id, p.Request.Volume, p.Request.Backup, "", now, RunTable.Restore, parts), e =>
        {
            _preparing.Remove(p.Request.Volume);
            _runs.Start(e.Id, RunTable.Restore, e.Volume, e.Snapshot, "", e.At, now, parts);
            foreach (var r in p.Volume.Replicas)
                _nodes.Tell(new RestoreReplica(r.Node, p.Id, r.Id, p.Request.BackupVolume, p.Request.Backup, _target));
            _log.Info("Restore {Restore}: backup {Backup} of {Source} into new volume {Volume}, on nodes {Nodes}", p.Id, p.Request.Backup, p.Request.BackupVolume,
                p.Request.Volume, string.Join(", ", p.Volume.Replicas.Select(r => r.Node)));
            p.ReplyTo.Tell(_runs.View().First(r => r.Id == p.Id));
        });
    }

    private void OnRunEnded(RunEnded e)
    {
        if (!_runs.IsRunning(e.Id)) return;
        if (e.Error is not null || _runs.KindOf(e.Id) == RunTable.Backup)
        {
            Finish(e.Id, e.Error);
            return;
        }
        if (!_runs.PartDone(e.Id, e.Part, DateTimeOffset.UtcNow)) return;
        var volume = _runs.VolumeOf(e.Id)!;
        ReleaseAsync(e.Id, new VolumeProtocol.FinishRestore(volume, _runs.SourceOf(e.Id)!)).PipeTo(Self);
    }

    /// <summary>Asks the restored volume to take the end of its restore, a few times should it be busy.</summary>
    private async Task<RestoreReleased> ReleaseAsync(string id, VolumeProtocol.FinishRestore finish)
    {
        object answer = "";
        for (var attempt = 0; attempt < 10; attempt++)
        {
            answer = await AskVolume(finish).ConfigureAwait(false);
            if (answer is VolumeProtocol.VolumeView { State: not "restoring" }) return new RestoreReleased(id, null);
            await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        return new RestoreReleased(id, $"volume '{finish.Volume}' did not take the end of its restore ({(answer is VolumeProtocol.Refused r ? r.Detail : answer.GetType().Name)})");
    }

    private void Finish(string id, string? error)
    {
        if (!_runs.IsRunning(id)) return;
        var kind = _runs.KindOf(id);
        var volume = _runs.VolumeOf(id)!;
        var backup = _runs.SourceOf(id)!;
        // A first restore that failed leaves nothing half-written behind: the volume it made goes (its replicas with it). A standby
        // that fails to take a newer backup keeps the one it holds and tries again at the next poll.
        var standby = _standbys.TryGetValue(volume, out var s) ? s : default;
        var discard = error is not null && kind == RunTable.Restore && standby.Applied is null;
        if (discard) error += $"; volume '{volume}' was deleted: restore the backup again";
        else if (error is not null && kind == RunTable.Restore)
            error += $"; standby '{volume}' may hold parts of backup {backup} over {standby.Applied}: the next poll rewrites it whole, and it cannot be activated until then";
        Persisted(new RunFinished(id, error, DateTimeOffset.UtcNow), e =>
        {
            _runs.Finish(e.Id, e.Error, e.At);
            if (e.Error is null) _log.Info("{Kind} {Run} of volume {Volume} completed", kind, e.Id, volume);
            else _log.Warning("{Kind} {Run} of volume {Volume} failed: {Why}", kind, e.Id, volume, e.Error);
            if (kind == RunTable.Restore && standby.Source is not null && (e.Error is null || !discard))
                Persisted(new StandbyApplied(volume, e.Error is null ? backup : MixedContent), a => Applied(a.Volume, a.Backup));
            if (!discard) return;
            if (standby.Source is not null) Persisted(new StandbyRemoved(volume), r => _standbys.Remove(r.Volume));
            DeleteRestoredAsync(volume);
        });
    }

    /// <summary>
    /// Deletes the volume of a failed restore, asking again while it is busy (it may wait out a replica on a lost node): a
    /// half-restored volume must not stay behind. Fire and forget: the volume logs its own delete.
    /// </summary>
    private void DeleteRestoredAsync(string volume)
    {
        var log = _log;
        _ = Task.Run(async () =>
        {
            for (var attempt = 0; attempt < 60; attempt++)
            {
                var answer = await AskVolume(new VolumeProtocol.Delete(volume)).ConfigureAwait(false);
                if (answer is VolumeProtocol.Deleted or VolumeProtocol.Refused { Error: VolumeError.NotFound }) return;
                await Task.Delay(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            log.Error("Volume {0}, left by a failed restore, could not be deleted; delete it: pbm volume delete {0}", volume);
        });
    }

    private static VolumeProtocol.Refused Refuse(string volume, VolumeError error, string detail) => new(volume, error, detail);
}
