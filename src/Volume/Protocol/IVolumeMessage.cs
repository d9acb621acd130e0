namespace ActorStore.Volume.Protocol;

/// <summary>Every message and event of the volume service; bound to <c>VolumeMessageSerializer</c> in reference.conf.</summary>
public interface IVolumeMessage;

/// <summary>A command for one volume entity: the shard region routes it by <see cref="Volume"/> (the volume name).</summary>
public interface IWithVolumeName : IVolumeMessage
{
    string Volume { get; }
}

/// <summary>
/// A command that changes a volume (create, attach, snapshot, …): one at a time per volume, so while one is carried out
/// another is refused at once with what is running, instead of waiting behind it.
/// </summary>
public interface IChangeVolume : IWithVolumeName;

/// <summary>A command for one replica: the node directory routes it to the NodeAgent of <see cref="Node"/>.</summary>
public interface IReplicaCommand : IVolumeMessage
{
    string Node { get; }

    string ReplicaId { get; }

    Guid RequestId { get; }
}
