using ActorStore.Blocks;
using ActorStore.Volume.Protocol;

namespace ActorStore.Volume.Engine;

/// <summary>The one place a replica's answer becomes the kind of failure the volume's record keeps.</summary>
public static class Faults
{
    public static ReplicaFault Of(ReplicaStatus status) => status switch
    {
        ReplicaStatus.Failed => ReplicaFault.Untrusted, // an fsync failed, or the replica does not open (corrupt)
        ReplicaStatus.TimedOut => ReplicaFault.TimedOut,
        ReplicaStatus.NoSpace => ReplicaFault.NoSpace,
        _ => ReplicaFault.IoError,
    };
}
