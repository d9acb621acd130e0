using System.Collections.Concurrent;
using ActorStore.Volume.Io;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>The export table: the volume engines running on this node, by volume name.</summary>
public sealed class NbdExports : INbdExports
{
    private readonly ConcurrentDictionary<string, IVolumeIo> _exports = new(StringComparer.Ordinal);

    public bool TryGet(string name, out IVolumeIo volume) => _exports.TryGetValue(name, out volume!);

    public IReadOnlyList<string> Names => _exports.Keys.Order(StringComparer.Ordinal).ToArray();

    public void Add(IVolumeIo volume) => _exports[volume.Name] = volume;

    /// <summary>Removes the export only if it is still <paramref name="volume"/> (a newer engine may have replaced it).</summary>
    public void Remove(IVolumeIo volume) => _exports.TryRemove(new KeyValuePair<string, IVolumeIo>(volume.Name, volume));
}
