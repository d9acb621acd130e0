namespace ActorStore.Cluster.Protocol;

/// <summary>Every wire message of the node process's own actors; bound to <c>ClusterMessageSerializer</c>. Their persisted events are <see cref="IClusterEvent"/>.</summary>
public interface IClusterMessage;
