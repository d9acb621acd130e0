using ActorStore.Volume.Io;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// The volumes this node exports over NBD: the attached volumes whose engine runs here, by name.
/// The engine adds a volume once it serves I/O and removes it when it detaches or stops.
/// </summary>
public interface INbdExports
{
    bool TryGet(string name, out IVolumeIo volume);

    /// <summary>The names for NBD_OPT_LIST, sorted.</summary>
    IReadOnlyList<string> Names { get; }
}
