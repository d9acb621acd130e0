using System.Net;
using ActorStore.Blocks;

namespace ActorStore.Volume.Replicas;

/// <summary>
/// Everything a ReplicaActor needs: which replica, where it lives, the node's data port (where engines reach
/// it, and which it closes its connections on before closing), and (for a new replica) the create command it
/// carries out first.
/// </summary>
public sealed record ReplicaActorSettings(
    string ReplicaId,
    string Node,
    string Disk,
    string Directory,
    IPEndPoint DataEndpoint,
    NodeDataServer DataServer,
    string NodeAddress,
    LocalReplicas Locals,
    ReplicaOptions Options,
    Protocol.ReplicaProtocol.CreateReplica? Create);
