using ActorStore.Volume.Engine;
using ActorStore.Volume.Frontend.Nbd;
using ActorStore.Volume.Io;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>A fixed set of exports for tests.</summary>
public sealed class MemoryExports : INbdExports
{
    private readonly Dictionary<string, IVolumeIo> _volumes;

    public MemoryExports(params IVolumeIo[] volumes)
    {
        _volumes = volumes.ToDictionary(v => v.Name, StringComparer.Ordinal);
        Names = _volumes.Keys.Order(StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<string> Names { get; }

    public bool TryGet(string name, out IVolumeIo volume) => _volumes.TryGetValue(name, out volume!);
}
