namespace ActorStore.Volume.Protocol;

/// <summary>The cluster-wide list of volume names (a persistent cluster singleton in the node process): volumes register on create and leave on delete.</summary>
public static class RegistryProtocol
{
    public sealed record Register(string Volume, Guid VolumeId) : IVolumeMessage;

    public sealed record Unregister(string Volume, Guid VolumeId) : IVolumeMessage;

    public sealed record ListVolumes : IVolumeMessage;

    public sealed record VolumeNames(IReadOnlyList<string> Names) : IVolumeMessage;
}
