using System.Net;
using ActorStore.Blocks;
using ActorStore.Volume;
using ActorStore.Volume.Protocol;
using ActorStore.Volume.Replicas;
using Akka.Actor;
using Akka.Event;

namespace ActorStore.Cluster.Nodes;

/// <summary>
/// Hosts this node's ReplicaActors (at /user/replicas), apart from the NodeAgent: the agent is persistent
/// and a journal failure or a bug in it restarts or stops it, which must never close a replica under a
/// running engine (found by trying it: a bad disk path crashed the agent and faulted every attached volume).
/// The agent tells this actor the node's disks; this actor opens the replicas found on them, creates new
/// ones, routes each replica command to its replica, and reports what is open back to the agent.
/// It does no I/O itself and nothing here throws, so it has no reason to restart.
/// </summary>
public sealed class ReplicaHost : ReceiveActor, IWithStash
{
    private readonly NodeSettings _node;
    private readonly VolumeSettings _volume;
    private readonly LocalReplicas _locals;
    private readonly NodeDataServer _data;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, ReplicaActor.ReplicaReady> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReplicaActor.ReplicaGone> _unusable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _since = new(StringComparer.Ordinal); // when each was opened (or found unusable)
    private IReadOnlyDictionary<string, string>? _disks;
    private IActorRef _agent = ActorRefs.Nobody;

    public ReplicaHost(NodeSettings node, VolumeSettings volume, LocalReplicas locals, NodeDataServer data)
    {
        _node = node;
        _volume = volume;
        _locals = locals;
        _data = data;
        Receive<Disks>(OnDisks);
        Receive<IReplicaCommand>(OnReplicaCommand);
        Receive<ListLocalReplicas>(_ => Sender.Tell(new LocalReplicaList(
            _open.Values.Select(r => new LocalReplica(r.ReplicaId, r.Disk, r.Size, r.VolumeId, null, _since.GetValueOrDefault(r.ReplicaId)))
                .Concat(_unusable.Values.Select(g => new LocalReplica(g.ReplicaId, g.Disk, 0, null, g.Reason, _since.GetValueOrDefault(g.ReplicaId)))).ToArray())));
        Receive<ReplicaActor.ReplicaReady>(r =>
        {
            _open[r.ReplicaId] = r;
            _unusable.Remove(r.ReplicaId);
            _since[r.ReplicaId] = DateTimeOffset.UtcNow;
            ReportTo(_agent);
        });
        Receive<ReplicaActor.ReplicaGone>(g =>
        {
            if (!g.Removed) _log.Error("Replica {Replica} on disk {Disk} is unusable: {Reason}", g.ReplicaId, g.Disk, g.Reason);
            _open.Remove(g.ReplicaId);
            if (g.Removed)
            {
                _unusable.Remove(g.ReplicaId);
                _since.Remove(g.ReplicaId);
            }
            else
            {
                _unusable[g.ReplicaId] = g;
                _since[g.ReplicaId] = DateTimeOffset.UtcNow;
            }
            ReportTo(_agent);
        });
    }

    public IStash Stash { get; set; } = null!;

    /// <param name="data">The node's data port, started: the replicas are offered there.</param>
    public static Props Props(NodeSettings node, VolumeSettings volume, LocalReplicas locals, NodeDataServer data) =>
        Akka.Actor.Props.Create(() => new ReplicaHost(node, volume, locals, data));

    /// <summary>From the NodeAgent, at its start and after every disk change: the node's disks, name → path.</summary>
    public sealed record Disks(IReadOnlyDictionary<string, string> Paths);

    /// <summary>Every replica directory on this node, open or not (<see cref="ReplicaAudit"/> asks).</summary>
    public sealed record ListLocalReplicas;

    /// <param name="VolumeId">The volume it belongs to, from its files; null when it cannot open (<paramref name="Problem"/> says why).</param>
    /// <param name="Since">When it was opened here (or found unusable).</param>
    public sealed record LocalReplica(string ReplicaId, string Disk, long Size, Guid? VolumeId, string? Problem, DateTimeOffset Since);

    public sealed record LocalReplicaList(IReadOnlyList<LocalReplica> Replicas);

    /// <summary>To the NodeAgent: every replica open on this node, for its disk reports.</summary>
    public sealed record Inventory(IReadOnlyList<ReplicaActor.ReplicaReady> Replicas);

    /// <summary>
    /// Written out (STYLE): a ReplicaActor that cannot be constructed is stopped; any other exception in one is a
    /// bug in a handler, logged, and the actor resumes with its replica still open — a restart would close and
    /// reopen the replica, cutting off the engine that uses it.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        if (e is ActorInitializationException) return Directive.Stop;
        _log.Error(e, "A replica actor failed; it keeps its replica open and goes on");
        return Directive.Resume;
    });

    private void OnDisks(Disks disks)
    {
        var first = _disks is null;
        _disks = disks.Paths;
        _agent = Sender;
        OpenReplicasOnDisks();
        ReportTo(_agent);
        if (first) Stash.UnstashAll();
    }

    /// <summary>Opens a ReplicaActor for every replica directory on the disks that has none yet.</summary>
    private void OpenReplicasOnDisks()
    {
        foreach (var (disk, path) in _disks!)
        {
            var root = Path.Combine(path, "replicas");
            try
            {
                if (!Directory.Exists(root)) continue;
                foreach (var dir in Directory.EnumerateDirectories(root))
                {
                    var id = Path.GetFileName(dir);
                    if (Names.IsValid(id) && Context.Child(id).IsNobody()) Context.ActorOf(ReplicaActor.Props(Settings(id, disk, path, null)), id);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.Error("Disk {Disk} at {Path} cannot be listed: {Error}; its replicas stay closed until the node restarts", disk, path, e.Message);
            }
        }
    }

    private void OnReplicaCommand(IReplicaCommand command)
    {
        if (_disks is null)
        {
            Stash.Stash(); // the agent has not recovered the disks yet: moments after the node starts
            return;
        }
        var child = Context.Child(command.ReplicaId);
        var startsRebuild = command is ReplicaProtocol.BeginCatchUp || (command is ReplicaProtocol.CreateReplica { Rebuilding: true } && child.IsNobody());
        if (startsRebuild && _locals.Rebuilding >= _volume.ConcurrentRebuildsPerNode)
        {
            Sender.Tell(new ReplicaProtocol.Done(command.ReplicaId, command.RequestId, ReplicaOutcome.Busy,
                $"node {_node.NodeId} already rebuilds {_locals.Rebuilding} replicas (actorstore.volume.concurrent-rebuilds-per-node); retried later"));
            return;
        }
        if (!child.IsNobody())
        {
            child.Forward(command);
            return;
        }
        if (command is not ReplicaProtocol.CreateReplica create)
        {
            // Removing what is not here is already done; anything else is a replica this node does not hold.
            var status = command is ReplicaProtocol.RemoveReplica ? ReplicaOutcome.Ok : ReplicaOutcome.NotFound;
            Sender.Tell(new ReplicaProtocol.Done(command.ReplicaId, command.RequestId, status, $"replica {command.ReplicaId} is not on node {_node.NodeId}"));
            return;
        }
        if (!Names.IsValid(create.ReplicaId) || !_disks.TryGetValue(create.Disk, out var path))
        {
            Sender.Tell(new ReplicaProtocol.Done(create.ReplicaId, create.RequestId, ReplicaOutcome.InvalidArgument,
                Names.IsValid(create.ReplicaId) ? $"node {_node.NodeId} has no disk '{create.Disk}'" : $"'{create.ReplicaId}' is not a valid replica id"));
            return;
        }
        // The ReplicaActor makes the directory (off this thread) and answers the creator.
        Context.ActorOf(ReplicaActor.Props(Settings(create.ReplicaId, create.Disk, path, create), Sender), create.ReplicaId);
    }

    private ReplicaActorSettings Settings(string replicaId, string disk, string diskPath, ReplicaProtocol.CreateReplica? create) => new(
        replicaId, _node.NodeId, disk, Path.Combine(diskPath, "replicas", replicaId), new IPEndPoint(IPAddress.Parse(_node.DataHost), _data.Endpoint!.Port), _data,
        _node.RemoteAddress, _locals, _volume.Replica, create);

    private void ReportTo(IActorRef agent)
    {
        if (!agent.IsNobody()) agent.Tell(new Inventory(_open.Values.ToArray()));
    }
}
