using Akka.Actor;

namespace ActorStore.Cluster.Api;

/// <summary>
/// What the gateway asks and what it says about this node. The node host builds it once the actors exist.
/// </summary>
/// <param name="System">The node's actor system (its cluster state feeds <c>GET /cluster</c>).</param>
/// <param name="Volumes">The volume shard region: every <c>IWithVolumeName</c> command goes here.</param>
/// <param name="Registry">The volume registry singleton (proxy): answers <c>RegistryProtocol.ListVolumes</c>.</param>
/// <param name="Nodes">The local node directory: answers every <c>NodeProtocol</c> command.</param>
/// <param name="Backups">The backup coordinator singleton (proxy): the target and the backups running.</param>
/// <param name="Jobs">The recurring jobs singleton (proxy).</param>
/// <param name="NodeId">This node's id (the default attach target, and how the gateway knows a volume is local).</param>
/// <param name="ClusterId">Shown by <c>GET /cluster</c>.</param>
/// <param name="NbdEndpoint">This node's NBD server as <c>host:port</c>; volumes attached here are served at <c>nbd://host:port/name</c>.</param>
/// <param name="DefaultReplicas">Replica count when a create request does not say (1..3).</param>
/// <param name="AskTimeout">How long the gateway waits for an actor before answering 504.</param>
/// <param name="BackupOptions">How the gateway works the backup target (a delete collects blocks under its lease time); null: the defaults.</param>
public sealed record GatewayTargets(
    ActorSystem System,
    IActorRef Volumes,
    IActorRef Registry,
    IActorRef Nodes,
    IActorRef Backups,
    IActorRef Jobs,
    string NodeId,
    string ClusterId,
    string NbdEndpoint,
    int DefaultReplicas,
    TimeSpan AskTimeout,
    ActorStore.Backup.BackupStoreOptions? BackupOptions = null)
{
    /// <summary>Fails at startup, with the setting's name, rather than on the first request.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(NodeId)) throw new ArgumentException("the gateway needs this node's id (GatewayTargets.NodeId)");
        if (string.IsNullOrWhiteSpace(NbdEndpoint) || !NbdEndpoint.Contains(':'))
            throw new ArgumentException($"GatewayTargets.NbdEndpoint must be host:port, got '{NbdEndpoint}'");
        if (DefaultReplicas is < RequestValidation.MinReplicas or > RequestValidation.MaxReplicas)
            throw new ArgumentException($"GatewayTargets.DefaultReplicas must be {RequestValidation.MinReplicas}..{RequestValidation.MaxReplicas}, got {DefaultReplicas}");
        if (AskTimeout <= TimeSpan.Zero) throw new ArgumentException($"GatewayTargets.AskTimeout must be positive, got {AskTimeout}");
    }
}
