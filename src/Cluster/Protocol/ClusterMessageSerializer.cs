using ActorStore.Volume.Serialization;
using Akka.Actor;

namespace ActorStore.Cluster.Protocol;

/// <summary>The node process's own messages and events: nodes, disks (bound in hocon/reference.conf).</summary>
public sealed class ClusterMessageSerializer(ExtendedActorSystem system) : JsonMessageSerializer(system, typeof(IClusterMessage), typeof(IClusterEvent))
{
    public override int Identifier => 1102;
}
