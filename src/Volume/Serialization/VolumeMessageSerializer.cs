using ActorStore.Volume.Protocol;
using Akka.Actor;

namespace ActorStore.Volume.Serialization;

/// <summary>The volume service's wire messages and persisted events (bound in hocon/reference.conf).</summary>
public sealed class VolumeMessageSerializer(ExtendedActorSystem system) : JsonMessageSerializer(system, typeof(IVolumeMessage), typeof(VolumeEvents.IVolumeEvent))
{
    public override int Identifier => 1101;
}
