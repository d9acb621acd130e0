using ActorStore.Cluster.Protocol;
using static ActorStore.Cluster.Jobs.JobProtocol;

namespace ActorStore.Cluster.Jobs;

/// <summary>The recurring jobs' persisted events (manifests fixed in <see cref="ClusterEventSerializer"/>).</summary>
public static class JobEvents
{
    /// <summary>Its first occurrence is the first after <paramref name="At"/>.</summary>
    public sealed record JobCreated(JobSpec Spec, DateTimeOffset At) : IClusterEvent;

    public sealed record JobDeleted(string Name) : IClusterEvent;

    public sealed record VolumeJobAdded(string Volume, string Item) : IClusterEvent;

    public sealed record VolumeJobRemoved(string Volume, string Item) : IClusterEvent;

    /// <summary>The run for the occurrence <paramref name="Scheduled"/> began: it is never run again, whichever node holds the schedule next.</summary>
    public sealed record JobRunStarted(string Name, DateTimeOffset Scheduled, IReadOnlyList<string> Volumes) : IClusterEvent;

    public sealed record JobRunEnded(string Name, DateTimeOffset Scheduled, IReadOnlyList<string> Failures, DateTimeOffset At) : IClusterEvent;

    /// <summary>
    /// The whole state as the events that rebuild it, applied in order: each job created at its last occurrence, the
    /// volumes' items, and the runs kept (oldest first) with their ends.
    /// </summary>
    public sealed record JobsSnapshot(IReadOnlyList<JobCreated> Jobs, IReadOnlyList<VolumeJobAdded> Members, IReadOnlyList<JobRunStarted> Started,
        IReadOnlyList<JobRunEnded> Ended) : IClusterEvent;
}
