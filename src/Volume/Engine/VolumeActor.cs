using ActorStore.Blocks;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using static ActorStore.Volume.Protocol.VolumeEvents;
using static ActorStore.Volume.Protocol.VolumeProtocol;

namespace ActorStore.Volume.Engine;

/// <summary>
/// A volume's durable record (event-sourced) and its controller (DESIGN §2), wherever sharding puts it. The
/// engine of an attached volume runs on the attach node (<see cref="EngineActor"/>, hosted by that node's
/// <see cref="EngineHost"/>); this actor starts and stops it, watches it and persists what it reports, and
/// re-finds it after its own restart or move. Commands that change replica files persist a request, carry
/// it out on every replica under one id, and persist its completion; recovery finishes what a crash
/// interrupted. Multi-step work runs off the actor's thread as a workflow, one at a time: the actor is
/// <see cref="Ready"/> or <see cref="Working"/>, and in both it answers reads (show, list), detach, shutdown and
/// the engine's reports at once; while working it refuses other changes at once, naming what runs. Whether the
/// volume is detached, attaching, attached or detaching is derived from the record and the engine link
/// (<see cref="State"/>), not a behaviour. I/O never passes through here.
/// </summary>
public sealed partial class VolumeActor : ReceivePersistentActor, IWithTimers
{
    private readonly VolumeHost _host;
    private readonly VolumeRecord _record;
    private readonly ReplicaCalls _calls;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private EngineLink? _engine;
    private string? _activity;
    private int _snapshotCount;

    public VolumeActor(string name, VolumeHost host)
    {
        _host = host;
        _record = new VolumeRecord(name);
        _calls = new ReplicaCalls(host.Nodes, host.Settings.ReplicaCommandTimeout);
        Recover<SnapshotOffer>(o => _record.Restore((VolumeSnapshot)o.Snapshot));
        Recover<IVolumeEvent>(e => _record.Apply(e));
        Recover<RecoveryCompleted>(_ => Self.Tell(Resume.Instance));
        Ready();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => "volume-" + _record.Name;

    public static Props Props(string name, VolumeHost host) => Akka.Actor.Props.Create(() => new VolumeActor(name, host));

    /// <summary>Sent by the shard region when the entity must stop (node shutdown, hand-off); the engine runs on regardless.</summary>
    public sealed class Stop
    {
        public static readonly Stop Instance = new();
    }

    private sealed class Resume
    {
        public static readonly Resume Instance = new();
    }

    /// <summary>The next step of a workflow, run on the actor's thread.</summary>
    private sealed record Continue(Action Then);

    /// <summary>The engine serving this volume: where, under which epoch, and its NBD endpoint.</summary>
    private sealed record EngineLink(string Node, long Epoch, IActorRef Engine, string NbdEndpoint);

    /// <summary>No workflow runs: every command is taken.</summary>
    private void Ready()
    {
        Command<Resume>(_ => ResumeAfterRecovery());
        Command<Create>(OnCreate);
        Command<Attach>(OnAttach);
        Command<VolumeProtocol.CreateSnapshot>(OnSnapshot);
        Command<VolumeProtocol.DeleteSnapshot>(OnDeleteSnapshot);
        Command<Purge>(OnPurge);
        Command<Revert>(OnRevert);
        Command<Expand>(OnExpand);
        Command<VolumeProtocol.Salvage>(OnSalvage);
        Command<Delete>(OnDelete);
        Always();
    }

    /// <summary>
    /// A workflow runs (<see cref="_activity"/>: creating, attaching, snapshot, …), its steps arriving as <see cref="Continue"/>.
    /// What <see cref="Always"/> takes is answered as in every state; another change is refused at once, naming what runs,
    /// so no caller waits out its timeout behind an operation of minutes. An attach that is already done is answered.
    /// </summary>
    private void Working()
    {
        Command<Continue>(c => c.Then());
        Always();
        Command<Attach>(a =>
        {
            if (_record.AttachedTo == a.Node && _engine is not null && !InMaintenance) Sender.Tell(View());
            // An offline rebuild's engine is starting: the attach waits for it, then ends the maintenance and goes ahead (AfterMaintenance).
            else if (_activity == StartingMaintenance) Stash.Stash();
            else Sender.Tell(Busy());
        });
        Command<IChangeVolume>(_ => Sender.Tell(Busy()));
        Command<Resume>(_ => Stash.Stash()); // a recovered operation that finished asks for the next step: after this workflow
    }

    private Refused Busy() => Refuse(VolumeError.WrongState,
        $"volume '{_record.Name}' is busy ({_activity}); retry once it is done (`pbm volume show {_record.Name}` shows its activity)");

    /// <summary>
    /// What every state answers at once, a workflow running or not: reads, detach, shutdown, the engine's
    /// reports and its death, and the journal's answers about snapshots.
    /// </summary>
    private void Always()
    {
        Command<Get>(_ => Reply(Sender));
        Command<FinishRestore>(OnFinishRestore);
        Command<Activate>(OnActivate);
        Command<VolumeProtocol.ListSnapshots>(OnListSnapshots);
        Command<Detach>(OnDetach);
        Command<Stop>(_ => Context.Stop(Self));
        Command<EngineProtocol.ReportFailures>(OnReportFailures);
        Command<EngineProtocol.EngineFenced>(OnEngineFenced);
        Command<Terminated>(OnEngineTerminated);
        Command<EngineLookup>(OnEngineLookup);
        Command<LookAgain>(l => LookForEngine(l.Since));
        Command<ReleaseLostNode>(OnReleaseLostNode);
        Command<DetachDone>(OnDetachDone);
        Command<SnapshotCount>(OnSnapshotCount);
        Command<HealCheck>(_ => OnHealCheck());
        Command<CatchUpProbed>(OnCatchUpProbed);
        Command<EvictReplicas>(OnEvictReplicas);
        Command<NoteStaleReplicaRemoved>(n =>
        {
            var replyTo = Sender;
            if (!_record.Exists || _record.Replicas.Any(r => r.Id == n.ReplicaId)) replyTo.Tell(new StaleReplicaNoted(n.Volume, n.ReplicaId));
            else Persist(new StaleReplicaRemoved(n.ReplicaId, n.Node, n.Detail, DateTimeOffset.UtcNow), e =>
            {
                Record(e);
                replyTo.Tell(new StaleReplicaNoted(n.Volume, n.ReplicaId));
            });
        });
        Command<ListHistory>(_ => Sender.Tell(_record.Exists
            ? new History(_record.Name, _record.History.Select(h => new HistoryView(h.At, h.Kind, h.Replica, h.Node, h.Detail)).ToArray())
            : NotFound()));
        Command<EngineProtocol.RebuildProgress>(OnRebuildProgress);
        Command<EngineProtocol.RebuildFinished>(OnRebuildFinished);
        // Only the newest snapshot is needed: recovery starts there and replays the events after it.
        Command<SaveSnapshotSuccess>(s =>
        {
            if (SnapshotRetention.Older(s.Metadata) is { } older) DeleteSnapshots(older);
        });
        Command<SaveSnapshotFailure>(f => _log.Warning("Volume {Volume}: snapshot of the record not saved ({Error}); recovery replays more events", _record.Name, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    /// <summary>Applies a just-persisted event; every so many events the whole record is saved as a snapshot (DESIGN §6).</summary>
    private void Record(IVolumeEvent e)
    {
        _record.Apply(e);
        if (LastSequenceNr % _host.Settings.JournalSnapshotEvery == 0) SaveSnapshot(_record.ToSnapshot());
    }

    /// <summary>
    /// Runs <paramref name="work"/> off the actor's thread and <paramref name="then"/> on it, <see cref="Working"/> meanwhile;
    /// <paramref name="activity"/> names it (in `volume show`, and to a change refused meanwhile), a later step goes on under the first's name.
    /// </summary>
    private void Run<T>(Func<Task<T>> work, Action<T> then, string? activity = null)
    {
        _activity = activity ?? _activity ?? throw new InvalidOperationException("a workflow's first step names its activity");
        Become(Working);
        Task.Run(work).ContinueWith(t => t.IsCompletedSuccessfully
            ? new Continue(() => then(t.Result))
            : new Continue(() => WorkflowCrashed(t.Exception?.GetBaseException() ?? new OperationCanceledException("the workflow was cancelled"))),
            TaskScheduler.Default).PipeTo(Self);
    }

    private void Finish()
    {
        _activity = null;
        Become(Ready);
        Stash.UnstashAll();
    }

    private void WorkflowCrashed(Exception e)
    {
        // A bug, not an expected failure: log it loudly and stay usable; recovery repeats pending work.
        _log.Error(e, "Volume {Volume}: a workflow failed unexpectedly", _record.Name);
        Finish();
    }

    private void Reply(IActorRef to)
    {
        if (to.IsNobody()) return;
        to.Tell(_record.Exists ? View() : NotFound());
    }

    private Refused NotFound() => new(_record.Name, VolumeError.NotFound, $"volume '{_record.Name}' does not exist; `pbm volume list` shows the volumes");

    private Refused Refuse(VolumeError error, string detail) => new(_record.Name, error, detail);

    private VolumeView View() => new(
        _record.Name, _record.Id, _record.Size, _record.ReplicaCount, State(), _record.Robustness, InMaintenance ? null : _record.AttachedTo, _record.Epoch, _snapshotCount, _record.Created,
        _record.Replicas.Select(r => new ReplicaView(r.Id, r.Node, r.Disk, r.Mode, r.Failure, r.FailedAt, r.Evicting)).ToArray(),
        _record.LastSalvage is { } s ? new SalvageView(s.At, s.Source, s.Reconciled, s.Left.Select(l => new LeftOutView(l.ReplicaId, l.Why)).ToArray(), s.Reason) : null,
        InMaintenance ? null : _engine?.NbdEndpoint, _record.DetachReason,
        _activity ?? _record.Pending?.Kind.ToString().ToLowerInvariant() ?? (InMaintenance ? $"rebuilding offline on node {_record.AttachedTo}" : null), _host.NodeId, RebuildViewOf(),
        _record.SoftAntiAffinity, _record.AppliedBackup);

    private string State() =>
        !_record.CreateDone ? "creating"
        : _record.RestoringFrom is not null ? "restoring"
        : _record.Standby ? "standby"
        : _record.Pending is { Kind: OperationKind.Delete } ? "deleting"
        : _record.AttachedTo is null || InMaintenance ? "detached"
        : _detaching is not null ? "detaching"
        : _engine is not null ? "attached"
        : "attaching";

    /// <summary>For commands that would read or change its data: refuses (and returns false) while a backup is restored into the volume.</summary>
    private bool NotRestoring(IActorRef replyTo)
    {
        if (_record.RestoringFrom is { } backup)
            replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' is being restored from backup {backup}; wait for the restore to end (`pbm backup restores`)"));
        else if (_record.Standby)
            replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' is a standby (disaster-recovery) volume that follows backups; activate it first: pbm volume activate {_record.Name}"));
        else return true;
        return false;
    }

    private void OnActivate(Activate a)
    {
        var replyTo = Sender;
        if (!Usable(replyTo)) return;
        if (!_record.Standby) { Reply(replyTo); return; } // active already
        if (_record.RestoringFrom is not null) { NotRestoring(replyTo); return; }
        Persist(new StandbyActivated(DateTimeOffset.UtcNow), e =>
        {
            Record(e);
            _log.Info("Volume {Volume}: standby activated at backup {Backup}", _record.Name, _record.AppliedBackup);
            Reply(replyTo);
        });
    }

    private void OnFinishRestore(FinishRestore f)
    {
        var replyTo = Sender;
        if (!Usable(replyTo)) return;
        // Done already: a restored volume takes one backup; a standby every newer one.
        if (_record.RestoringFrom != f.Backup && (!_record.Standby || _record.AppliedBackup == f.Backup)) { Reply(replyTo); return; }
        Persist(new RestoreFinished(f.Backup, DateTimeOffset.UtcNow), e =>
        {
            Record(e);
            _log.Info("Volume {Volume}: restored from backup {Backup}", _record.Name, f.Backup);
            Reply(replyTo);
        });
    }

    /// <summary>Checks that the volume exists and is not in the middle of creation; replies and returns false otherwise.</summary>
    private bool Usable(IActorRef replyTo)
    {
        if (!_record.Exists) replyTo.Tell(NotFound());
        else if (!_record.CreateDone) replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' is still being created; retry in a moment"));
        else return true;
        return false;
    }

    /// <summary>
    /// <c>NAME-rXXXXXXXX</c>, the name cut to 53 characters so the id stays a valid name (at most 63) for
    /// every volume name validation accepts; the random part keeps ids of long, alike names apart.
    /// </summary>
    internal static string NewReplicaId(string volume) => $"{volume[..Math.Min(volume.Length, 53)]}-r{Guid.NewGuid().ToString("N")[..8]}";

    private static bool IsRefusal(ReplicaStatus s) => s is ReplicaStatus.NotFound or ReplicaStatus.AlreadyExists or ReplicaStatus.InvalidName
        or ReplicaStatus.TooManySnapshots or ReplicaStatus.SnapshotRemoved or ReplicaStatus.InvalidArgument or ReplicaStatus.OutOfRange or ReplicaStatus.NoSpace;
}
