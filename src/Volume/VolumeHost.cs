using ActorStore.Volume.Frontend.Nbd;
using ActorStore.Volume.Replicas;
using Akka.Actor;

namespace ActorStore.Volume;

/// <summary>
/// What the node process gives every volume entity it hosts: its own node id, the NBD export table,
/// the replicas open in this process, the node directory (routes replica commands and placement) and
/// the volume registry.
/// </summary>
public sealed record VolumeHost(
    string NodeId,
    NbdExports Exports,
    LocalReplicas LocalReplicas,
    IActorRef Nodes,
    IActorRef Registry,
    VolumeSettings Settings);
