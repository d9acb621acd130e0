using ActorStore.Volume.Protocol;
using Akka.Actor;
using static ActorStore.Volume.Protocol.VolumeEvents;

namespace ActorStore.Volume.Serialization;

/// <summary>The volume entity's events and snapshot (bound in reference.conf). These manifests are in journals: never change or reuse one.</summary>
public sealed class VolumeEventSerializer(ExtendedActorSystem system) : EventSerializer(system, Manifests)
{
    public static readonly IReadOnlyDictionary<string, Type> Manifests = new Dictionary<string, Type>
    {
        ["VA"] = typeof(CreateRequested),
        ["VB"] = typeof(CreateCompleted),
        ["VC"] = typeof(Attached),
        ["VD"] = typeof(EpochRaised),
        ["VE"] = typeof(Detached),
        ["VF"] = typeof(ReplicaFailed),
        ["VG"] = typeof(OperationRequested),
        ["VH"] = typeof(OperationCompleted),
        ["VI"] = typeof(VolumeDeleted),
        ["VJ"] = typeof(ReplicasSalvaged),
        ["VK"] = typeof(ReplicaAdded),
        ["VL"] = typeof(ReplicaRebuilt),
        ["VM"] = typeof(ReplicaRemoved),
        ["VN"] = typeof(ReplicaEvictionRequested),
        ["VO"] = typeof(ReplicaRejoined),
        ["VP"] = typeof(ReplicaCaughtUp),
        ["VQ"] = typeof(StaleReplicaRemoved),
        ["VR"] = typeof(RestoreFinished),
        ["VT"] = typeof(StandbyActivated),
        ["VS"] = typeof(VolumeSnapshot),
    };

    public override int Identifier => 1103;
}
