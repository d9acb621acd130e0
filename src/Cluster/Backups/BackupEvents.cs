using ActorStore.Cluster.Protocol;

namespace ActorStore.Cluster.Backups;

/// <summary>The backup coordinator's persisted events (manifests fixed in <see cref="ClusterEventSerializer"/>).</summary>
public static class BackupEvents
{
    public sealed record TargetSet(string Address, string? AccessKey, string? SecretKey) : IClusterEvent;

    public sealed record RunStarted(string Id, string Volume, string Snapshot, string Node, DateTimeOffset At) : IClusterEvent;

    /// <summary><paramref name="Error"/>: null when it completed.</summary>
    public sealed record RunFinished(string Id, string? Error, DateTimeOffset At) : IClusterEvent;
}
