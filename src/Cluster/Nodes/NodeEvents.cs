using ActorStore.Cluster.Protocol;

namespace ActorStore.Cluster.Nodes;

/// <summary>
/// The persisted events of a node's configuration: its disks and scheduling flags (DESIGN §6), and the snapshot
/// of that configuration. Manifests are fixed in <see cref="ClusterEventSerializer"/>.
/// </summary>
public static class NodeEvents
{
    public sealed record DiskAdded(string Name, string Path, bool Schedulable) : IClusterEvent;

    public sealed record DiskRemoved(string Name) : IClusterEvent;

    public sealed record DiskSchedulingChanged(string Name, bool Schedulable) : IClusterEvent;

    public sealed record NodeSchedulingChanged(bool Schedulable) : IClusterEvent;

    /// <summary>The whole configuration, saved every so many events.</summary>
    public sealed record NodeSnapshot(IReadOnlyList<DiskAdded> Disks, bool Schedulable) : IClusterEvent;
}
