namespace ActorStore.Cluster.Api.Contracts;

/// <summary>
/// POST /jobs: a recurring job. <paramref name="Cron"/>: five fields (minute hour day month weekday), or six with seconds first, UTC;
/// <paramref name="Task"/>: snapshot, backup or snapshot-cleanup (purges removed snapshots); the newest <paramref name="Retain"/>
/// snapshots or backups it made are kept; at most <paramref name="Concurrency"/> volumes at once; it applies to the volumes that
/// name it or one of its <paramref name="Groups"/> (a volume that names nothing is in group <c>default</c>).
/// </summary>
public sealed record CreateJobRequest(string Name, string Cron, string Task, int Retain = 1, int Concurrency = 1, IReadOnlyList<string>? Groups = null);

public sealed record JobInfo(string Name, string Cron, string Task, int Retain, int Concurrency, IReadOnlyList<string> Groups, DateTimeOffset? Next,
    IReadOnlyList<JobRunInfo> Runs);

/// <summary>One run: the occurrence it served, when it ended (null: running), its volumes and "volume: why" for each it failed on.</summary>
public sealed record JobRunInfo(DateTimeOffset Scheduled, DateTimeOffset? Ended, IReadOnlyList<string> Volumes, IReadOnlyList<string> Failures);

/// <summary>POST /volumes/{name}/jobs: name one job or one group for the volume.</summary>
public sealed record AddVolumeJob(string? Job = null, string? Group = null);

/// <summary>What the volume names (<c>job:NAME</c>, <c>group:NAME</c>; none: group default) and the jobs that apply to it.</summary>
public sealed record VolumeJobsInfo(string Volume, IReadOnlyList<string> Items, IReadOnlyList<string> Jobs);
