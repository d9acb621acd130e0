namespace ActorStore.Cluster.Protocol;

/// <summary>Every message and event of the node process's own actors; bound to <c>ClusterMessageSerializer</c>.</summary>
public interface IClusterMessage;
