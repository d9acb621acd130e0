using ActorStore.Volume.Protocol;

namespace ActorStore.Cluster.Protocol;

/// <summary>An event or snapshot of the node process's persistent actors (node agent, volume registry): bound to <see cref="ClusterEventSerializer"/>.</summary>
public interface IClusterEvent : IPersistedEvent;
