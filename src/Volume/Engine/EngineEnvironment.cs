using ActorStore.Volume.Frontend.Nbd;
using ActorStore.Volume.Replicas;
using Akka.Actor;

namespace ActorStore.Volume.Engine;

/// <summary>
/// What a node gives the engines it hosts: its id, the replicas open in this process, the cluster's data secret, the replica command
/// route, the NBD export table and its endpoint, and the volume shard region (where engines report to their
/// controllers). <paramref name="ServeTimeout"/>: how long prepared replicas wait for the controller to say serve.
/// <paramref name="Lease"/>: the node's lease every engine's I/O is gated on (null: unlimited, outside a cluster).
/// </summary>
public sealed record EngineEnvironment(
    string NodeId,
    VolumeSettings Settings,
    LocalReplicas LocalReplicas,
    DataSecret Secret,
    ReplicaCalls Calls,
    NbdExports Exports,
    string NbdEndpoint,
    ActorSelection Volumes,
    TimeSpan ServeTimeout,
    NodeLease? Lease = null);
