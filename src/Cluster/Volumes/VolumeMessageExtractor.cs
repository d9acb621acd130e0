using ActorStore.Volume.Protocol;
using Akka.Cluster.Sharding;

namespace ActorStore.Cluster.Volumes;

/// <summary>One volume per shard (DESIGN §2): entity id and shard id are both the volume name, so moving a shard moves exactly one volume.</summary>
public sealed class VolumeMessageExtractor : IMessageExtractor
{
    public string? EntityId(object message) => message switch
    {
        IWithVolumeName v => v.Volume,
        _ => null,
    };

    public object EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message);

    public string ShardId(string entityId, object? messageHint = null) => entityId;
}
