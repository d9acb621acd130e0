using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Persistence;
using static ActorStore.Volume.Protocol.RegistryProtocol;

namespace ActorStore.Cluster.Volumes;

/// <summary>
/// The cluster-wide list of volume names (a persistent cluster singleton). Volumes register when their
/// create completes and leave when deleted; registering is idempotent, so a volume repeats it after
/// recovery in case a crash lost it.
/// </summary>
public sealed class VolumeRegistry : ReceivePersistentActor
{
    private readonly SortedDictionary<string, Guid> _volumes = new(StringComparer.Ordinal);

    public VolumeRegistry()
    {
        Recover<Register>(r => _volumes[r.Volume] = r.VolumeId);
        Recover<Unregister>(u => Remove(u));
        Command<Register>(r =>
        {
            if (_volumes.TryGetValue(r.Volume, out var id) && id == r.VolumeId) return;
            Persist(r, e => _volumes[e.Volume] = e.VolumeId);
        });
        Command<Unregister>(u =>
        {
            if (!_volumes.TryGetValue(u.Volume, out var id) || id != u.VolumeId) return;
            Persist(u, Remove);
        });
        Command<ListVolumes>(_ => Sender.Tell(new VolumeNames(_volumes.Keys.ToArray())));
    }

    public override string PersistenceId => "volume-registry";

    public static Props Props() => Akka.Actor.Props.Create(() => new VolumeRegistry());

    private void Remove(Unregister u)
    {
        if (_volumes.TryGetValue(u.Volume, out var id) && id == u.VolumeId) _volumes.Remove(u.Volume);
    }
}
