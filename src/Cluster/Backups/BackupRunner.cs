using System.Diagnostics;
using ActorStore.Backup;
using ActorStore.Backup.Records;
using ActorStore.Backup.Targets;
using ActorStore.Blocks;
using ActorStore.Volume.Replicas;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Cluster.Backups.BackupProtocol;

namespace ActorStore.Cluster.Backups;

/// <summary>
/// Runs the backups and restores the coordinator hands to this node (one per node, at /user/backup-runner). A backup reads
/// the snapshot straight from the replica open here (not through NBD, so the volume's I/O does not pause beyond the
/// snapshot itself) and uploads through a <see cref="BackupStore"/>; a restore writes a backup into a new volume's
/// replica here, then flushes it and clears its dirty regions (every replica got the same writes). Both report progress
/// about every second, and their end.
/// </summary>
public sealed class BackupRunner : ReceiveActor, IWithTimers
{
    public const string Name = "backup-runner";
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(1);
    private readonly string _nodeId;
    private readonly LocalReplicas _locals;
    private readonly IActorRef _coordinator;
    private readonly BackupStoreOptions _options;
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    // The last progress of each run here (ID or ID/REPLICA), repeated every few seconds: a run waiting for a collection to end
    // reports no progress of its own, and its silence must not fail it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TransferProgress> _last = new(StringComparer.Ordinal);
    private static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(5);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private sealed record Ended(string Id, string? Error, string Part = "");

    private sealed record Heartbeat
    {
        public static readonly Heartbeat Instance = new();
    }

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
        Receive<RestoreReplica>(r =>
        {
            // One restore at a time into a replica: one that is still writing (its run failed elsewhere) finishes first.
            if (_running.Any(x => x.EndsWith("/" + r.ReplicaId, StringComparison.Ordinal)))
            {
                if (!_running.Contains(r.Id + "/" + r.ReplicaId))
                    _coordinator.Tell(new RunEnded(r.Id, $"an earlier restore into replica {r.ReplicaId} still runs on node {_nodeId}; the next poll tries again", r.ReplicaId));
                return;
            }
            _running.Add(r.Id + "/" + r.ReplicaId);
            _log.Info("Restore {Restore}: writing backup {Backup} into replica {Replica}", r.Id, r.Backup, r.ReplicaId);
            RestoreAsync(r).PipeTo(Self, failure: e => new Ended(r.Id, $"the restore failed unexpectedly ({e.Message}); the node's log has more", r.ReplicaId));
        });
        Receive<Heartbeat>(_ =>
        {
            foreach (var key in _running)
            {
                var slash = key.IndexOf('/');
                var (id, part) = slash < 0 ? (key, "") : (key[..slash], key[(slash + 1)..]);
                var last = _last.GetValueOrDefault(key);
                _coordinator.Tell(new RunProgress(id, last.Done, last.Total, part));
            }
        });
        Receive<Ended>(e =>
        {
            var key = e.Part.Length == 0 ? e.Id : e.Id + "/" + e.Part;
            _running.Remove(key);
            _last.TryRemove(key, out _);
            if (e.Error is null) _log.Info("{Run} {Part} completed", e.Id, e.Part);
            else _log.Warning("{Run} {Part} failed: {Why}", e.Id, e.Part, e.Error);
            _coordinator.Tell(new RunEnded(e.Id, e.Error, e.Part));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("heartbeat", Heartbeat.Instance, HeartbeatEvery);

    public static Props Props(string nodeId, LocalReplicas locals, IActorRef coordinator, BackupStoreOptions options) =>
        Akka.Actor.Props.Create(() => new BackupRunner(nodeId, locals, coordinator, options));

    private async Task<Ended> RestoreAsync(RestoreReplica r)
    {
        if (!_locals.TryGet(r.ReplicaId, out var replica))
            return new Ended(r.Id, $"replica {r.ReplicaId} is not open on node {_nodeId}", r.ReplicaId);
        if (!TargetAddress.TryParse(r.Target.Address ?? "", out var address, out var why)) return new Ended(r.Id, why, r.ReplicaId);
        try
        {
            using var target = address!.Open(r.Target.AccessKey, r.Target.SecretKey);
            var store = new BackupStore(target, _options);
            var applied = r.Applied is null ? null
                : r.Applied == BackupCoordinator.MixedContent ? AnyContent(replica.Size, _options.BlockSize)
                : await store.GetBackupAsync(r.BackupVolume, r.Applied).ConfigureAwait(false) ?? AnyContent(replica.Size, _options.BlockSize);
            await store.RestoreAsync(r.BackupVolume, r.Backup, new ReplicaRestoreSink(replica, $"replica {r.ReplicaId}"), applied, _nodeId,
                Reporter(r.Id, r.ReplicaId)).ConfigureAwait(false);
            if (replica.Flush() is var flushed and not ReplicaStatus.Ok) return new Ended(r.Id, $"flushing replica {r.ReplicaId} failed: {flushed}", r.ReplicaId);
            // Every replica took the same writes: nothing for the first engine to reconcile.
            if (replica.ClearDirtyRegions(replica.Epoch) is var cleared and not ReplicaStatus.Ok)
                return new Ended(r.Id, $"clearing the dirty regions of replica {r.ReplicaId} failed: {cleared}", r.ReplicaId);
            return new Ended(r.Id, null, r.ReplicaId);
        }
        catch (Exception e) when (e is BackupTargetException or BackupCorruptException or IOException or KeyNotFoundException or ArgumentException)
        {
            return new Ended(r.Id, e.Message, r.ReplicaId);
        }
    }

    /// <summary>
    /// What a replica holds when the record of the backup it took is gone (deleted meanwhile): every block may hold anything,
    /// so the restore writes every block of the new backup and zeroes every other.
    /// </summary>
    private static BackupRecord AnyContent(long size, int blockSize) =>
        new("unknown", "", Guid.Empty, "", default, default, default, size, blockSize, new Dictionary<string, string>(), null, new BackupStats(0, 0, 0, 0),
            Enumerable.Range(0, (int)((size + blockSize - 1) / blockSize)).Select(i => new BlockRef(i, "")).ToArray());

    /// <summary>Reports a run's progress to the coordinator at most about once a second, and at its end.</summary>
    private Action<TransferProgress> Reporter(string id, string part)
    {
        var reported = Stopwatch.StartNew();
        var coordinator = _coordinator;
        var first = true;
        var last = _last;
        var key = part.Length == 0 ? id : id + "/" + part;
        return p =>
        {
            last[key] = p;
            lock (reported)
            {
                if (!first && reported.Elapsed < ReportEvery && p.Done < p.Total) return;
                first = false;
                reported.Restart();
            }
            coordinator.Tell(new RunProgress(id, p.Done, p.Total, part));
        };
    }

    private async Task<Ended> RunAsync(RunBackup r)
    {
        if (!_locals.TryGet(r.ReplicaId, out var replica))
            return new Ended(r.Id, $"replica {r.ReplicaId} of volume '{r.Volume}' is not open on node {_nodeId}; run the backup again");
        if (!TargetAddress.TryParse(r.Target.Address ?? "", out var address, out var why)) return new Ended(r.Id, why);
        try
        {
            using var target = address!.Open(r.Target.AccessKey, r.Target.SecretKey);
            var store = new BackupStore(target, _options);
            var last = await store.LastBackupAsync(r.Volume).ConfigureAwait(false) is { } lastId
                ? await store.GetBackupAsync(r.Volume, lastId).ConfigureAwait(false)
                : null;
            var request = SnapshotSource.Plan(replica, r.Volume, r.VolumeId, r.Snapshot, last, _nodeId, r.Labels, _options.BlockSize, out why);
            if (request is null) return new Ended(r.Id, why);
            if (replica.OpenSnapshot(r.Snapshot, out var reader) is var status and not ReplicaStatus.Ok)
                return new Ended(r.Id, $"snapshot '{r.Snapshot}' cannot be read on replica {r.ReplicaId}: {status}");
            await store.BackupAsync(request with { Id = r.Id }, new SnapshotSource(reader!, $"snapshot {r.Snapshot} of replica {r.ReplicaId}"), Reporter(r.Id, ""))
                .ConfigureAwait(false);
            return new Ended(r.Id, null);
        }
        catch (Exception e) when (e is BackupTargetException or BackupCorruptException or IOException or KeyNotFoundException or ArgumentException)
        {
            return new Ended(r.Id, e.Message);
        }
    }
}
