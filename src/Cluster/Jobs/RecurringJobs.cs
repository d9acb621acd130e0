using ActorStore.Volume;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using static ActorStore.Cluster.Jobs.JobEvents;
using static ActorStore.Cluster.Jobs.JobProtocol;

namespace ActorStore.Cluster.Jobs;

/// <summary>
/// Recurring snapshot, backup and cleanup jobs (a persistent cluster singleton, DESIGN §7; Longhorn's recurring jobs). The
/// singleton runs every schedule once for the whole cluster: each occurrence is persisted before it runs, so a node that takes
/// the schedule over after a crash never runs it again (an interrupted run is recorded as such; the next occurrence runs as
/// usual). Occurrences missed while no node held the schedule collapse into one, run at once. A run still going when the next
/// occurrence is due delays it, so no volume gets two runs of one job at a time.
/// </summary>
public sealed class RecurringJobs : ReceivePersistentActor, IWithTimers
{
    public const string Name = "recurring-jobs";
    public const string ProxyName = "recurring-jobs-proxy";
    private const int RunsKept = 20;
    private static readonly string[] Tasks = ["snapshot", "backup", "snapshot-cleanup"];
    private readonly IActorRef _registry;
    private readonly JobRunner _runner;
    private readonly TimeSpan _askTimeout;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SortedDictionary<string, (JobSpec Spec, JobSchedule Schedule)> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _last = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<JobRunView>> _runs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    private readonly JobMembership _members = new();
    private readonly int _snapshotEvery;

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    /// <summary>An occurrence has come; <paramref name="Volumes"/>: every volume (which it applies to is decided on the actor's thread).</summary>
    private sealed record Due(string Job, DateTimeOffset Scheduled, IReadOnlyList<string> Volumes);

    private sealed record Ran(string Job, DateTimeOffset Scheduled, IReadOnlyList<string> Failures);

    public RecurringJobs(IActorRef registry, IActorRef volumes, IActorRef backups, TimeSpan askTimeout, ActorStore.Backup.BackupStoreOptions options, int snapshotEvery)
    {
        _registry = registry;
        _snapshotEvery = snapshotEvery;
        _askTimeout = askTimeout;
        _runner = new JobRunner(volumes, backups, askTimeout, options);
        Recover<SnapshotOffer>(o => Restore((JobsSnapshot)o.Snapshot));
        Recover<JobCreated>(Apply);
        Recover<JobDeleted>(Apply);
        Recover<VolumeJobAdded>(e => _members.Add(e.Volume, e.Item));
        Recover<VolumeJobRemoved>(e => _members.Remove(e.Volume, e.Item));
        Recover<JobRunStarted>(Apply);
        Recover<JobRunEnded>(Apply);
        Recover<RecoveryCompleted>(_ =>
        {
            // A run started and not ended was cut short by the node that ran it: it is not run again.
            foreach (var (job, runs) in _runs)
                for (var i = 0; i < runs.Count; i++)
                    if (runs[i].Ended is null) runs[i] = runs[i] with { Ended = DateTimeOffset.UtcNow, Failures = ["interrupted: the node running the schedule stopped"] };
        });
        Command<CreateJob>(OnCreate);
        Command<DeleteJob>(d =>
        {
            if (!_jobs.ContainsKey(d.Name)) { Sender.Tell(NotFound(d.Name)); return; }
            Persisted(new JobDeleted(d.Name), e =>
            {
                Apply(e);
                Sender.Tell(new JobList(Views()));
            });
        });
        Command<ListJobs>(_ => Sender.Tell(new JobList(Views())));
        Command<ChangeVolumeJobs>(OnChangeVolume);
        Command<GetVolumeJobs>(g => Sender.Tell(VolumeView(g.Volume)));
        Command<Tick>(_ => OnTick());
        Command<Due>(OnDue);
        Command<SaveSnapshotSuccess>(s =>
        {
            if (SnapshotRetention.Older(s.Metadata) is { } older) DeleteSnapshots(older);
        });
        Command<SaveSnapshotFailure>(f => _log.Warning("Recurring jobs: snapshot not saved ({0}); recovery replays more events", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
        Command<Ran>(r => Persisted(new JobRunEnded(r.Job, r.Scheduled, r.Failures, DateTimeOffset.UtcNow), e =>
        {
            Apply(e);
            if (e.Failures.Count == 0) _log.Info("Job {Job} ({Scheduled:u}) done", e.Name, e.Scheduled);
            else _log.Warning("Job {Job} ({Scheduled:u}) failed on {Count} volumes: {Failures}", e.Name, e.Scheduled, e.Failures.Count, string.Join("; ", e.Failures));
        }));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => "recurring-jobs";

    public static Props Props(IActorRef registry, IActorRef volumes, IActorRef backups, TimeSpan askTimeout, ActorStore.Backup.BackupStoreOptions options, int snapshotEvery) =>
        Akka.Actor.Props.Create(() => new RecurringJobs(registry, volumes, backups, askTimeout, options, snapshotEvery));

    protected override void PreStart() => Timers.StartPeriodicTimer("tick", Tick.Instance, TimeSpan.FromSeconds(1));

    /// <summary>Persists, handles, and every <c>snapshotEvery</c> events saves a snapshot: a job every minute adds about 3,000 events a day.</summary>
    private void Persisted<TEvent>(TEvent e, Action<TEvent> then) => Persist(e, persisted =>
    {
        then(persisted);
        if (LastSequenceNr % _snapshotEvery == 0) SaveSnapshot(ToSnapshot());
    });

    private JobsSnapshot ToSnapshot() => new(
        _jobs.Values.Select(j => new JobCreated(j.Spec, _last[j.Spec.Name])).ToArray(),
        _members.All.Select(m => new VolumeJobAdded(m.Volume, m.Item)).ToArray(),
        _runs.SelectMany(r => Enumerable.Reverse(r.Value).Select(run => new JobRunStarted(r.Key, run.Scheduled, run.Volumes))).ToArray(),
        _runs.SelectMany(r => r.Value.Where(run => run.Ended is not null).Select(run => new JobRunEnded(r.Key, run.Scheduled, run.Failures, run.Ended!.Value))).ToArray());

    /// <summary>Recovery offers the snapshot first, to the empty state.</summary>
    private void Restore(JobsSnapshot snapshot)
    {
        foreach (var e in snapshot.Jobs) Apply(e);
        foreach (var e in snapshot.Members) _members.Add(e.Volume, e.Item);
        foreach (var e in snapshot.Started) Apply(e);
        foreach (var e in snapshot.Ended) Apply(e);
    }

    private void Apply(JobCreated e)
    {
        JobSchedule.TryParse(e.Spec.Cron, out var schedule, out _);
        _jobs[e.Spec.Name] = (e.Spec, schedule!);
        _last[e.Spec.Name] = e.At;
        _runs[e.Spec.Name] = [];
    }

    private void Apply(JobDeleted e)
    {
        _jobs.Remove(e.Name);
        _last.Remove(e.Name);
        _runs.Remove(e.Name);
    }

    private void Apply(JobRunStarted e)
    {
        _last[e.Name] = e.Scheduled;
        if (!_runs.TryGetValue(e.Name, out var runs)) return;
        runs.Insert(0, new JobRunView(e.Scheduled, null, e.Volumes, []));
        if (runs.Count > RunsKept) runs.RemoveRange(RunsKept, runs.Count - RunsKept);
    }

    private void Apply(JobRunEnded e)
    {
        _running.Remove(e.Name);
        if (!_runs.TryGetValue(e.Name, out var runs)) return;
        var i = runs.FindIndex(r => r.Scheduled == e.Scheduled);
        if (i >= 0) runs[i] = runs[i] with { Ended = e.At, Failures = e.Failures };
    }

    private void OnCreate(CreateJob c)
    {
        var s = c.Spec;
        var why = !Blocks.Names.IsValid(s.Name) ? $"'{s.Name}' is not a valid job name: use 1-63 of a-z, 0-9 and '-'"
            : _jobs.ContainsKey(s.Name) ? $"job '{s.Name}' exists; delete it first or pick another name"
            : !JobSchedule.TryParse(s.Cron, out _, out var bad) ? bad
            : !Tasks.Contains(s.Task) ? $"task '{s.Task}' is not one of {string.Join(", ", Tasks)}"
            : s.Retain < 1 && s.Task != "snapshot-cleanup" ? "retain must be at least 1"
            : s.Concurrency < 1 ? "concurrency must be at least 1"
            : s.Groups.FirstOrDefault(g => !Blocks.Names.IsValid(g)) is { } g ? $"'{g}' is not a valid group name"
            : null;
        if (why is not null)
        {
            Sender.Tell(new VolumeProtocol.Refused(s.Name, _jobs.ContainsKey(s.Name) ? VolumeError.WrongState : VolumeError.InvalidArgument, why));
            return;
        }
        Persisted(new JobCreated(s, DateTimeOffset.UtcNow), e =>
        {
            Apply(e);
            _log.Info("Job {Job} created: {Task} at '{Cron}', retain {Retain}", s.Name, s.Task, s.Cron, s.Retain);
            Sender.Tell(View(s.Name));
        });
    }

    private void OnChangeVolume(ChangeVolumeJobs c)
    {
        if (JobMembership.Invalid(c.Item) is { } why) { Sender.Tell(new VolumeProtocol.Refused(c.Volume, VolumeError.InvalidArgument, why)); return; }
        if (c.Add && c.Item.StartsWith("job:", StringComparison.Ordinal) && !_jobs.ContainsKey(c.Item[4..])) { Sender.Tell(NotFound(c.Item[4..])); return; }
        if (c.Add == _members.ItemsOf(c.Volume).Contains(c.Item)) { Sender.Tell(VolumeView(c.Volume)); return; }
        if (c.Add) Persisted(new VolumeJobAdded(c.Volume, c.Item), e => { _members.Add(e.Volume, e.Item); Sender.Tell(VolumeView(e.Volume)); });
        else Persisted(new VolumeJobRemoved(c.Volume, c.Item), e => { _members.Remove(e.Volume, e.Item); Sender.Tell(VolumeView(e.Volume)); });
    }

    /// <summary>Every second: a job whose next occurrence has come (the latest one, if several were missed) is started, unless it still runs.</summary>
    private void OnTick()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (name, (spec, schedule)) in _jobs)
        {
            if (_running.Contains(name) || LatestDue(schedule, _last[name], now) is not { } due) continue;
            _running.Add(name);
            _registry.Ask<object>(new RegistryProtocol.ListVolumes(), _askTimeout).PipeTo(Self,
                success: answer => new Due(name, due, answer is RegistryProtocol.VolumeNames names ? names.Names : []),
                failure: _ => new Due(name, due, []));
        }
    }

    private static DateTimeOffset? LatestDue(JobSchedule schedule, DateTimeOffset last, DateTimeOffset now)
    {
        DateTimeOffset? due = null;
        for (var next = schedule.Next(last); next is { } n && n <= now; next = schedule.Next(n)) due = n;
        return due;
    }

    private void OnDue(Due d)
    {
        if (!_jobs.TryGetValue(d.Job, out var job) || d.Scheduled <= _last[d.Job])
        {
            _running.Remove(d.Job);
            return;
        }
        var volumes = d.Volumes.Where(v => _members.AppliesTo(job.Spec, v)).ToArray();
        d = d with { Volumes = volumes };
        Persisted(new JobRunStarted(d.Job, d.Scheduled, d.Volumes), e =>
        {
            Apply(e);
            if (d.Volumes.Count == 0)
            {
                Self.Tell(new Ran(d.Job, d.Scheduled, []));
                return;
            }
            _log.Info("Job {Job} ({Scheduled:u}): {Task} on {Volumes}", d.Job, d.Scheduled, job.Spec.Task, string.Join(", ", d.Volumes));
            _runner.RunAsync(job.Spec, d.Scheduled, d.Volumes).PipeTo(Self,
                success: failures => new Ran(d.Job, d.Scheduled, failures),
                failure: ex => new Ran(d.Job, d.Scheduled, [$"the run failed unexpectedly: {ex.Message}"]));
        });
    }

    private JobView View(string name) =>
        new(_jobs[name].Spec, _jobs[name].Schedule.Next(_last[name]), _runs.GetValueOrDefault(name) ?? []);

    private IReadOnlyList<JobView> Views() => _jobs.Keys.Select(View).ToArray();

    private VolumeJobs VolumeView(string volume) =>
        new(volume, _members.ItemsOf(volume), _jobs.Values.Where(j => _members.AppliesTo(j.Spec, volume)).Select(j => j.Spec.Name).ToArray());

    private static VolumeProtocol.Refused NotFound(string job) => new(job, VolumeError.NotFound, $"no job '{job}'; `pbm job list` shows them");
}
