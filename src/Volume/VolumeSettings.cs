using ActorStore.Blocks;

namespace ActorStore.Volume;

/// <summary>
/// Settings of the volume service. For now only what its replicas need; the engine, the replica
/// data endpoint and the NBD frontend add theirs as they land.
/// </summary>
public sealed record VolumeSettings(ReplicaOptions Replica)
{
    public static VolumeSettings Default { get; } = new(new ReplicaOptions());
}
