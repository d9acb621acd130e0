using ActorStore.Cluster.Protocol;

namespace ActorStore.Cluster.Volumes;

/// <summary>The volume registry's persisted events and snapshot (manifests fixed in <see cref="ClusterEventSerializer"/>).</summary>
public static class RegistryEvents
{
    public sealed record VolumeRegistered(string Volume, Guid VolumeId) : IClusterEvent;

    public sealed record VolumeUnregistered(string Volume, Guid VolumeId) : IClusterEvent;

    public sealed record RegistrySnapshot(IReadOnlyList<VolumeRegistered> Volumes) : IClusterEvent;
}
