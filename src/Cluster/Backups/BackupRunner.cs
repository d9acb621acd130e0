using System.Diagnostics;
using ActorStore.Backup;
using ActorStore.Backup.Targets;
using ActorStore.Blocks;
using ActorStore.Volume.Replicas;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Cluster.Backups.BackupProtocol;

namespace ActorStore.Cluster.Backups;

/// <summary>
/// Runs the backups the coordinator hands to this node (one per node, at /user/backup-runner): reads the snapshot
/// straight from the replica open here (not through NBD, so the volume's I/O does not pause beyond the snapshot
/// itself), uploads through a <see cref="BackupStore"/>, and reports progress about every second and the end.
/// </summary>
public sealed class BackupRunner : ReceiveActor
{
    public const string Name = "backup-runner";
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(1);
    private readonly string _nodeId;
    private readonly LocalReplicas _locals;
    private readonly IActorRef _coordinator;
    private readonly BackupStoreOptions _options;
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private sealed record Ended(string Id, string? Error);

    public BackupRunner(string nodeId, LocalReplicas locals, IActorRef coordinator, BackupStoreOptions options)
    {
        _nodeId = nodeId;
        _locals = locals;
        _coordinator = coordinator;
        _options = options;
        Receive<RunBackup>(r =>
        {
            if (!_running.Add(r.Id)) return; // sent again: it runs already
            _log.Info("Backup {Backup}: backing up snapshot {Snapshot} of volume {Volume} from replica {Replica}", r.Id, r.Snapshot, r.Volume, r.ReplicaId);
            RunAsync(r).PipeTo(Self, failure: e => new Ended(r.Id, $"the backup failed unexpectedly ({e.Message}); the node's log has more"));
        });
        Receive<Ended>(e =>
        {
            _running.Remove(e.Id);
            if (e.Error is null) _log.Info("Backup {Backup} completed", e.Id);
            else _log.Warning("Backup {Backup} failed: {Why}", e.Id, e.Error);
            _coordinator.Tell(new RunEnded(e.Id, e.Error));
        });
    }

    public static Props Props(string nodeId, LocalReplicas locals, IActorRef coordinator, BackupStoreOptions options) =>
        Akka.Actor.Props.Create(() => new BackupRunner(nodeId, locals, coordinator, options));

    private async Task<Ended> RunAsync(RunBackup r)
    {
        if (!_locals.TryGet(r.ReplicaId, out var replica))
            return new Ended(r.Id, $"replica {r.ReplicaId} of volume '{r.Volume}' is not open on node {_nodeId}; run the backup again");
        if (!TargetAddress.TryParse(r.Target.Address ?? "", out var address, out var why)) return new Ended(r.Id, why);
        try
        {
            using var target = address!.Open(r.Target.AccessKey, r.Target.SecretKey);
            var store = new BackupStore(target, _options);
            var last = await store.GetVolumeAsync(r.Volume).ConfigureAwait(false) is { LastBackup: { } lastId }
                ? await store.GetBackupAsync(r.Volume, lastId).ConfigureAwait(false)
                : null;
            var request = SnapshotSource.Plan(replica, r.Volume, r.VolumeId, r.Snapshot, last, _nodeId, r.Labels, _options.BlockSize, out why);
            if (request is null) return new Ended(r.Id, why);
            if (replica.OpenSnapshot(r.Snapshot, out var reader) is var status and not ReplicaStatus.Ok)
                return new Ended(r.Id, $"snapshot '{r.Snapshot}' cannot be read on replica {r.ReplicaId}: {status}");
            var reported = Stopwatch.StartNew();
            var coordinator = _coordinator;
            var id = r.Id;
            coordinator.Tell(new RunProgress(id, 0, request.ReadBlocks.Count * (long)_options.BlockSize));
            await store.BackupAsync(request with { Id = id }, new SnapshotSource(reader!, $"snapshot {r.Snapshot} of replica {r.ReplicaId}"), p =>
            {
                lock (reported)
                {
                    if (reported.Elapsed < ReportEvery && p.Done < p.Total) return;
                    reported.Restart();
                }
                coordinator.Tell(new RunProgress(id, p.Done, p.Total));
            }).ConfigureAwait(false);
            return new Ended(r.Id, null);
        }
        catch (Exception e) when (e is BackupTargetException or BackupCorruptException or IOException or KeyNotFoundException or ArgumentException)
        {
            return new Ended(r.Id, e.Message);
        }
    }
}
