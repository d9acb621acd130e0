using ActorStore.Cluster.Protocol;
using ActorStore.Volume;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Cluster.Protocol.NodeProtocol;

namespace ActorStore.Cluster.Nodes;

/// <summary>
/// Checks this node's replica directories against the volumes every so often (DESIGN §5, rejoin): a replica its volume
/// still lists is in use; one whose volume exists but lists it no more was replaced while this node was away (stale) and
/// is removed once the grace period has passed, with a log line and an event on the volume; one no volume knows (a crash
/// between steps, a volume deleted while the node was away) is an orphan, listed and deleted only when an operator asks.
/// A check that cannot hear from every volume decides nothing. At /user/replica-audit on every node.
/// </summary>
public sealed class ReplicaAudit : ReceiveActor, IWithTimers
{
    public const string Name = "replica-audit";

    private readonly string _node;
    private readonly IActorRef _replicas;
    private readonly IActorRef _registry;
    private readonly IActorRef _volumes;
    private readonly VolumeSettings _settings;
    private readonly TimeSpan _askTimeout;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, DateTimeOffset> _staleSince = new(StringComparer.Ordinal);
    private bool _auditing;

    public ReplicaAudit(string node, IActorRef replicas, IActorRef registry, IActorRef volumes, VolumeSettings settings, TimeSpan askTimeout)
    {
        (_node, _replicas, _registry, _volumes, _settings, _askTimeout) = (node, replicas, registry, volumes, settings, askTimeout);
        Receive<Tick>(_ =>
        {
            if (_auditing) return;
            _auditing = true;
            AuditAsync().PipeTo(Self);
        });
        Receive<Audit>(OnAudit);
        Receive<ListOrphans>(_ => AuditAsync().ContinueWith(t => (object)(t.Result.Complete
            ? new Orphans(_node, t.Result.Orphans)
            : new NodeRefused(_node, VolumeError.Unavailable, $"node {_node} could not check its replicas against every volume now ({t.Result.Why}); retry")), TaskScheduler.Default).PipeTo(Sender));
        Receive<DeleteOrphan>(OnDeleteOrphan);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string node, IActorRef replicas, IActorRef registry, IActorRef volumes, VolumeSettings settings, TimeSpan askTimeout) =>
        Akka.Actor.Props.Create(() => new ReplicaAudit(node, replicas, registry, volumes, settings, askTimeout));

    protected override void PreStart() => Timers.StartPeriodicTimer("audit", Tick.Instance, _settings.ReplicaAuditEvery);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    /// <summary>One check: the replicas in use are left out; <paramref name="Stale"/> names each one's volume.</summary>
    private sealed record Audit(bool Complete, string Why, IReadOnlyList<(string ReplicaId, string Volume)> Stale, IReadOnlyList<OrphanView> Orphans);

    /// <summary>This node's replicas first, then the volumes: a replica created meanwhile is listed by its volume already.</summary>
    private async Task<Audit> AuditAsync()
    {
        try
        {
            var local = await _replicas.Ask<ReplicaHost.LocalReplicaList>(new ReplicaHost.ListLocalReplicas(), _askTimeout).ConfigureAwait(false);
            if (local.Replicas.Count == 0) return new Audit(true, "", [], []);
            var names = await _registry.Ask<RegistryProtocol.VolumeNames>(new RegistryProtocol.ListVolumes(), _askTimeout).ConfigureAwait(false);
            var answers = await Task.WhenAll(names.Names.Select(n => _volumes.Ask<object>(new VolumeProtocol.Get(n), _askTimeout))).ConfigureAwait(false);
            if (answers.FirstOrDefault(a => a is not VolumeProtocol.VolumeView && a is not VolumeProtocol.Refused { Error: VolumeError.NotFound }) is { } odd)
                return new Audit(false, $"a volume answered {odd.GetType().Name}", [], []);
            var views = answers.OfType<VolumeProtocol.VolumeView>().ToArray();
            var inUse = views.SelectMany(v => v.Replicas).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            var byId = views.GroupBy(v => v.Id).ToDictionary(g => g.Key, g => g.First().Name);
            var stale = new List<(string, string)>();
            var orphans = new List<OrphanView>();
            // A replica being created belongs to a volume the registry lists only once its create completes: one opened
            // moments ago is left alone for two checks.
            var settled = DateTimeOffset.UtcNow - 2 * _settings.ReplicaAuditEvery;
            foreach (var r in local.Replicas.Where(r => !inUse.Contains(r.ReplicaId) && r.Since <= settled))
            {
                if (r.VolumeId is { } id && byId.TryGetValue(id, out var volume)) stale.Add((r.ReplicaId, volume));
                else orphans.Add(new OrphanView(r.ReplicaId, _node, r.Disk, r.Size, r.VolumeId,
                    r.Problem is { } problem ? $"it does not open ({problem}) and no volume lists it"
                    : $"no volume has id {r.VolumeId} (deleted while this node was away, or left by a crash)"));
            }
            return new Audit(true, "", stale, orphans);
        }
        catch (AskTimeoutException e)
        {
            return new Audit(false, e.Message, [], []);
        }
    }

    private void OnAudit(Audit a)
    {
        _auditing = false;
        if (!a.Complete) return;
        var now = DateTimeOffset.UtcNow;
        foreach (var gone in _staleSince.Keys.Where(id => a.Stale.All(s => s.ReplicaId != id)).ToArray()) _staleSince.Remove(gone);
        foreach (var (replica, volume) in a.Stale)
        {
            if (!_staleSince.TryGetValue(replica, out var since))
            {
                _staleSince[replica] = now;
                _log.Warning("Replica {Replica} of volume {Volume} on this node was replaced while the node was away; it is removed in {Grace}",
                    replica, volume, _settings.StaleReplicaGrace);
                continue;
            }
            if (now - since < _settings.StaleReplicaGrace) continue;
            _staleSince.Remove(replica);
            Remove(replica, volume);
        }
    }

    /// <summary>Deletes the stale replica's directory, then has its volume record that it did.</summary>
    private void Remove(string replica, string volume)
    {
        var (log, volumes, node, timeout) = (_log, _volumes, _node, _askTimeout);
        _replicas.Ask<object>(new ReplicaProtocol.RemoveReplica(_node, replica, Guid.NewGuid()), timeout).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully && t.Result is ReplicaProtocol.Done { Status: ReplicaOutcome.Ok })
            {
                log.Info("Stale replica {0} of volume {1} removed from this node", replica, volume);
                volumes.Tell(new VolumeProtocol.NoteStaleReplicaRemoved(volume, replica, node, $"replaced while node {node} was away; removed after the grace period"));
            }
            else log.Warning("Stale replica {0} of volume {1} could not be removed now ({2}); the next check tries again", replica, volume,
                t.IsCompletedSuccessfully ? (t.Result as ReplicaProtocol.Done)?.Detail ?? t.Result.GetType().Name : t.Exception?.GetBaseException().Message);
        }, TaskScheduler.Default);
    }

    /// <summary>Only an orphan now (checked again), and only on request: a directory some volume still lists is never deleted here.</summary>
    private void OnDeleteOrphan(DeleteOrphan d)
    {
        var replyTo = Sender;
        var (replicas, node, timeout, log) = (_replicas, _node, _askTimeout, _log);
        AuditAsync().ContinueWith(async t =>
        {
            var audit = t.Result;
            if (!audit.Complete) return (object)new NodeRefused(node, VolumeError.Unavailable, $"node {node} could not check its replicas against every volume now ({audit.Why}); retry");
            if (audit.Orphans.All(o => o.ReplicaId != d.ReplicaId))
                return audit.Stale.Any(s => s.ReplicaId == d.ReplicaId)
                    ? new NodeRefused(node, VolumeError.WrongState, $"replica {d.ReplicaId} belongs to volume {audit.Stale.First(s => s.ReplicaId == d.ReplicaId).Volume} (it was replaced; it is removed after the grace period)")
                    : new NodeRefused(node, VolumeError.NotFound, $"node {node} has no orphan replica {d.ReplicaId}; `pbm node orphans {node}` lists them");
            var done = await replicas.Ask<object>(new ReplicaProtocol.RemoveReplica(node, d.ReplicaId, Guid.NewGuid()), timeout).ConfigureAwait(false);
            if (done is ReplicaProtocol.Done { Status: ReplicaOutcome.Ok })
            {
                log.Info("Orphan replica {0} deleted on request", d.ReplicaId);
                return new OrphanDeleted(node, d.ReplicaId);
            }
            return new NodeRefused(node, VolumeError.Unavailable, $"replica {d.ReplicaId} could not be deleted: {(done as ReplicaProtocol.Done)?.Detail}");
        }, TaskScheduler.Default).Unwrap().PipeTo(replyTo);
    }
}
