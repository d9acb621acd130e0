using ActorStore.Blocks;
using ActorStore.Volume.Protocol;
using static ActorStore.Volume.Protocol.ReplicaProtocol;
using BlockReplica = ActorStore.Blocks.Replica;

namespace ActorStore.Volume.Replicas;

public sealed partial class ReplicaActor
{
    /// <summary>Carries out one control command on the thread pool. Each is idempotent under its request id.</summary>
    private async Task<object> Execute(BlockReplica replica, IReplicaCommand command)
    {
        var id = _settings.ReplicaId;
        Done Answer(ReplicaStatus status, string? detail = null) => new(id, command.RequestId, status.ToOutcome(), detail);
        switch (command)
        {
            case CreateReplica c:
                // Repeated after a crash of the engine: the replica exists; it must be the same volume's.
                return Answer(replica.Identity.VolumeId == c.VolumeId ? ReplicaStatus.Ok : ReplicaStatus.AlreadyExists);
            case OpenReplica o:
                {
                    var status = replica.AcceptEpoch(o.Epoch);
                    if (status != ReplicaStatus.Ok) return Answer(status, status == ReplicaStatus.StaleEpoch ? $"replica has seen epoch {replica.Epoch}, newer than {o.Epoch}" : null);
                    return new Opened(id, o.RequestId, _settings.DataEndpoint.Address.ToString(), _settings.DataEndpoint.Port, _settings.NodeAddress, replica.Size, replica.Revision,
                        replica.DirtyRegions().Select(r => r.ToRegion()).ToArray(), replica.ChainNames());
                }
            case ClearDirtyRegions c:
                return Answer(replica.ClearDirtyRegions(c.Epoch));
            case TakeSnapshot s:
                return Answer(replica.Snapshot(s.Name, s.UserCreated, s.Labels, s.RequestId));
            case ReplicaProtocol.DeleteSnapshot d:
                {
                    var status = replica.DeleteSnapshot(d.Name);
                    return Answer(status);
                }
            case PurgeSnapshots:
                return Answer(replica.Purge());
            case RevertReplica r:
                return Answer(replica.Revert(r.Snapshot));
            case ExpandReplica e:
                return Answer(e.Size == replica.Size ? ReplicaStatus.Ok : replica.Expand(e.Size));
            case ReplicaProtocol.ListSnapshots:
                return new SnapshotList(id, command.RequestId, replica.Snapshots()
                    .Select(s => new VolumeProtocol.SnapshotView(s.Name, s.Parent, s.Created, s.UserCreated, s.Removed, s.Size, new Dictionary<string, string>(s.Labels)))
                    .ToArray());
            case ListLayers:
                return new LayerList(id, command.RequestId, replica.Snapshots()
                    .Select(s => new LayerInfo(s.Name, s.Parent, s.Created, s.UserCreated, s.Removed, s.Size, new Dictionary<string, string>(s.Labels), s.RequestId))
                    .ToArray(), replica.HeadParent);
            case StageLayer s:
                {
                    var l = s.Layer;
                    return Answer(replica.StageLayer(new SnapshotInfo(l.Name, l.Parent, l.Created, l.UserCreated, l.Removed, l.Size, l.Labels, l.RequestId), s.Keep));
                }
            case CheckStagedLayer c:
                {
                    var status = replica.CheckStaged(c.Name, out var digest);
                    return status == ReplicaStatus.Ok ? new LayerChecked(id, c.RequestId, digest.Bytes, digest.Crc) : Answer(status);
                }
            case BeginCatchUp b:
                {
                    var status = replica.BeginCatchUp(b.Layer, out var dirty);
                    return status == ReplicaStatus.Ok ? new CatchUpBegun(id, b.RequestId, Regions.Merged(dirty.Select(r => r.ToRegion()))) : Answer(status);
                }
            case PunchStaged p:
                {
                    foreach (var r in p.Regions)
                        if (replica.PunchStaged(p.Name, r.Offset, r.Length) is var status and not ReplicaStatus.Ok) return Answer(status, $"at {r.Offset}");
                    return Answer(ReplicaStatus.Ok);
                }
            case ListAbsentRegions:
                return new AbsentRegionList(id, command.RequestId, Regions.Merged(replica.AbsentRegions().Select(r => r.ToRegion())));
            case ReplicaProtocol.ClearAbsentRegions:
                return Answer(replica.ClearAbsentRegions());
            case MarkAllAbsent:
                return Answer(replica.MarkAllAbsent());
            case DigestLayer d:
                {
                    var status = replica.GetLayerDigest(d.Name, out var digest);
                    return status == ReplicaStatus.Ok ? new LayerChecked(id, d.RequestId, digest.Bytes, digest.Crc) : Answer(status);
                }
            case InstallLayers i:
                return Answer(replica.InstallStaged(i.Names));
            case EndRebuild:
                return Answer(replica.SetRebuilding(false));
            case RemoveReplica r:
                return await Remove(replica, r).ConfigureAwait(false);
            default:
                return Answer(ReplicaStatus.InvalidArgument, $"unknown command {command.GetType().Name}");
        }
    }

    /// <summary>Closes the replica (when open) and deletes its directory: the volume was deleted or the replica replaced.</summary>
    private async Task<object> Remove(BlockReplica? replica, RemoveReplica command)
    {
        if (replica is not null) await CloseAsync(_settings, replica).ConfigureAwait(false);
        try
        {
            if (Directory.Exists(_settings.Directory)) Directory.Delete(_settings.Directory, recursive: true);
            return new Done(_settings.ReplicaId, command.RequestId, ReplicaOutcome.Ok, null);
        }
        catch (IOException e)
        {
            return new Done(_settings.ReplicaId, command.RequestId, ReplicaOutcome.IoError, $"cannot delete {_settings.Directory}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            return new Done(_settings.ReplicaId, command.RequestId, ReplicaOutcome.IoError, $"cannot delete {_settings.Directory}: {e.Message}");
        }
    }
}
