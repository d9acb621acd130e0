using System.Net;
using ActorStore.Blocks;

namespace ActorStore.Volume.Replicas;

/// <summary>
/// Everything a ReplicaActor needs: which replica, where it lives, where its data endpoint listens,
/// and (for a new replica) the create command it carries out first.
/// </summary>
public sealed record ReplicaActorSettings(
    string ReplicaId,
    string Node,
    string Disk,
    string Directory,
    IPAddress DataAddress,
    string NodeAddress,
    LocalReplicas Locals,
    ReplicaOptions Options,
    ReplicaDataServerOptions ServerOptions,
    Protocol.ReplicaProtocol.CreateReplica? Create);
