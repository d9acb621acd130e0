using ActorStore.Cluster.Protocol;

namespace ActorStore.Cluster.Nodes;

/// <summary>The persisted events of a node's configuration: its disks and scheduling flags (DESIGN §6).</summary>
public static class NodeEvents
{
    public sealed record DiskAdded(string Name, string Path, bool Schedulable) : IClusterMessage;

    public sealed record DiskRemoved(string Name) : IClusterMessage;

    public sealed record DiskSchedulingChanged(string Name, bool Schedulable) : IClusterMessage;

    public sealed record NodeSchedulingChanged(bool Schedulable) : IClusterMessage;

    /// <summary>Asked of a NodeAgent by the node directory: its disks with live capacity.</summary>
    public sealed record GetReport : IClusterMessage;
}
