using ActorStore.Cluster.Protocol;

namespace ActorStore.Cluster.Jobs;

/// <summary>The recurring jobs' protocol (a cluster singleton, <see cref="RecurringJobs"/>).</summary>
public static class JobProtocol
{
    /// <summary>
    /// A recurring job: <paramref name="Cron"/> (five fields, or six with seconds first), <paramref name="Task"/> (snapshot, backup or
    /// snapshot-cleanup), the newest <paramref name="Retain"/> snapshots or backups it made kept, at most <paramref name="Concurrency"/>
    /// volumes at once, and the <paramref name="Groups"/> whose volumes it applies to (besides those that name it).
    /// </summary>
    public sealed record JobSpec(string Name, string Cron, string Task, int Retain, int Concurrency, IReadOnlyList<string> Groups) : IClusterMessage;

    public sealed record CreateJob(JobSpec Spec) : IClusterMessage;

    public sealed record DeleteJob(string Name) : IClusterMessage;

    public sealed record ListJobs : IClusterMessage;

    public sealed record JobList(IReadOnlyList<JobView> Items) : IClusterMessage;

    /// <param name="Next">When it runs next (UTC).</param>
    /// <param name="Runs">Its last runs, newest first.</param>
    public sealed record JobView(JobSpec Spec, DateTimeOffset? Next, IReadOnlyList<JobRunView> Runs) : IClusterMessage;

    /// <param name="Failures">"volume: why" for each volume the run failed on.</param>
    public sealed record JobRunView(DateTimeOffset Scheduled, DateTimeOffset? Ended, IReadOnlyList<string> Volumes, IReadOnlyList<string> Failures) : IClusterMessage;

    /// <summary>Adds (or removes) a job or a group (<c>job:NAME</c>, <c>group:NAME</c>) to a volume. Answered with <see cref="VolumeJobs"/>.</summary>
    public sealed record ChangeVolumeJobs(string Volume, string Item, bool Add) : IClusterMessage;

    public sealed record GetVolumeJobs(string Volume) : IClusterMessage;

    /// <param name="Items">What the volume names (none: the <c>default</c> group).</param>
    /// <param name="Jobs">The jobs that apply to it.</param>
    public sealed record VolumeJobs(string Volume, IReadOnlyList<string> Items, IReadOnlyList<string> Jobs) : IClusterMessage;
}
