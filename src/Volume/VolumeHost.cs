using Akka.Actor;

namespace ActorStore.Volume;

/// <summary>
/// What the node process gives every volume controller it hosts: its own node id, the node directory
/// (routes replica and engine commands, places replicas) and the volume registry.
/// </summary>
public sealed record VolumeHost(
    string NodeId,
    IActorRef Nodes,
    IActorRef Registry,
    VolumeSettings Settings);
