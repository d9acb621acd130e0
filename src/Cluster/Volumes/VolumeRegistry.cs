using ActorStore.Volume;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using static ActorStore.Cluster.Volumes.RegistryEvents;
using static ActorStore.Volume.Protocol.RegistryProtocol;

namespace ActorStore.Cluster.Volumes;

/// <summary>
/// The cluster-wide list of volume names (a persistent cluster singleton). Volumes register when their
/// create completes and leave when deleted; registering is idempotent, so a volume repeats it after
/// recovery in case a crash lost it. The list is saved whole every so many events.
/// </summary>
public sealed class VolumeRegistry : ReceivePersistentActor
{
    private readonly SortedDictionary<string, Guid> _volumes = new(StringComparer.Ordinal);
    private readonly int _snapshotEvery;

    public VolumeRegistry(int snapshotEvery)
    {
        _snapshotEvery = snapshotEvery;
        Recover<SnapshotOffer>(o =>
        {
            _volumes.Clear();
            foreach (var v in ((RegistrySnapshot)o.Snapshot).Volumes) _volumes[v.Volume] = v.VolumeId;
        });
        Recover<VolumeRegistered>(r => _volumes[r.Volume] = r.VolumeId);
        Recover<VolumeUnregistered>(u => Remove(u.Volume, u.VolumeId));
        // Journals written before the registry had events of its own hold its wire messages.
        Recover<Register>(r => _volumes[r.Volume] = r.VolumeId);
        Recover<Unregister>(u => Remove(u.Volume, u.VolumeId));
        Command<Register>(r =>
        {
            if (_volumes.TryGetValue(r.Volume, out var id) && id == r.VolumeId) return;
            Persist(new VolumeRegistered(r.Volume, r.VolumeId), e => Record(() => _volumes[e.Volume] = e.VolumeId));
        });
        Command<Unregister>(u =>
        {
            if (!_volumes.TryGetValue(u.Volume, out var id) || id != u.VolumeId) return;
            Persist(new VolumeUnregistered(u.Volume, u.VolumeId), e => Record(() => Remove(e.Volume, e.VolumeId)));
        });
        Command<ListVolumes>(_ => Sender.Tell(new VolumeNames(_volumes.Keys.ToArray())));
        Command<SaveSnapshotSuccess>(s =>
        {
            if (SnapshotRetention.Older(s.Metadata) is { } older) DeleteSnapshots(older);
        });
        Command<SaveSnapshotFailure>(f => Context.GetLogger().Warning("Volume registry: snapshot not saved ({0})", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId => "volume-registry";

    public static Props Props(int snapshotEvery) => Akka.Actor.Props.Create(() => new VolumeRegistry(snapshotEvery));

    private void Record(Action apply)
    {
        apply();
        if (LastSequenceNr % _snapshotEvery == 0)
            SaveSnapshot(new RegistrySnapshot(_volumes.Select(v => new VolumeRegistered(v.Key, v.Value)).ToArray()));
    }

    private void Remove(string volume, Guid volumeId)
    {
        if (_volumes.TryGetValue(volume, out var id) && id == volumeId) _volumes.Remove(volume);
    }
}
