using ActorStore.Blocks;
using ActorStore.Cluster.Backups;
using ActorStore.Cluster.Protocol;
using ActorStore.Cluster.Scheduling;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using static ActorStore.Cluster.Protocol.NodeProtocol;
using ClusterMember = Akka.Cluster.Member;

namespace ActorStore.Cluster.Nodes;

/// <summary>
/// This node's view of every node (one per node, at /user/nodes): routes replica commands and node
/// commands to the NodeAgent of the node they name, engine commands to its engine host, gathers node reports, and places new replicas.
/// A node is found through its cluster role <c>node:ID</c>.
/// </summary>
public sealed class NodeDirectory : ReceiveActor
{
    public const string AgentName = "node-agent";
    public const string ReplicaHostName = "replicas";
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly PlacementPolicy _placement;
    private readonly TimeSpan _reportTimeout;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    // Nodes this node saw downed and removed (until one comes back under the same id): their engines are gone for good.
    private readonly HashSet<string> _downed = new(StringComparer.Ordinal);

    public NodeDirectory(PlacementPolicy placement, TimeSpan reportTimeout)
    {
        _placement = placement;
        _reportTimeout = reportTimeout;
        Receive<IReplicaCommand>(c =>
        {
            if (Member(c.Node) is { } member) Context.ActorSelection(new RootActorPath(member.Address) / "user" / ReplicaHostName).Tell(c, Sender);
            else Sender.Tell(new ReplicaProtocol.Done(c.ReplicaId, c.RequestId, ReplicaOutcome.IoError, $"node {c.Node} is not an up cluster member"));
        });
        Receive<EngineProtocol.IEngineCommand>(c =>
        {
            if (Member(c.Node) is { } member) Context.ActorSelection(new RootActorPath(member.Address) / "user" / EngineHost.Name).Tell(c, Sender);
            else if (_downed.Contains(c.Node)) Sender.Tell(new EngineProtocol.EngineUnreachable(c.Volume, c.Node, $"node {c.Node} was downed and removed from the cluster", Downed: true));
            else Sender.Tell(new EngineProtocol.EngineUnreachable(c.Volume, c.Node, $"node {c.Node} is not an up cluster member; `pbm node list` shows the nodes"));
        });
        Receive<ClusterEvent.MemberRemoved>(r =>
        {
            if (NodeIdOf(r.Member) is { } id && r.PreviousStatus == MemberStatus.Down) _downed.Add(id);
        });
        Receive<ClusterEvent.MemberUp>(u =>
        {
            if (NodeIdOf(u.Member) is { } id) _downed.Remove(id); // back under the same id
        });
        Receive<PlacementProtocol.PlaceReplicas>(p =>
        {
            var replyTo = Sender;
            GatherAsync().ContinueWith(t => _placement.Place(p, t.Result), TaskScheduler.Default).PipeTo(replyTo);
        });
        Receive<ListNodes>(_ => GatherAsync().ContinueWith(t => (object)new NodeList(t.Result), TaskScheduler.Default).PipeTo(Sender));
        Receive<GetNode>(g => Route(g.Node, g));
        Receive<AddDisk>(a => Route(a.Node, a));
        Receive<RemoveDisk>(r => Route(r.Node, r));
        Receive<SetNodeSchedulable>(s => Route(s.Node, s));
        Receive<SetDiskSchedulable>(s => Route(s.Node, s));
        Receive<ListOrphans>(l => Route(l.Node, l, ReplicaAudit.Name));
        Receive<DeleteOrphan>(d => Route(d.Node, d, ReplicaAudit.Name));
        Receive<BackupProtocol.RunBackup>(r => Route(r.Node, r, BackupRunner.Name));
        Receive<BackupProtocol.RestoreReplica>(r => Route(r.Node, r, BackupRunner.Name));
    }

    protected override void PreStart() => _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.MemberUp));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    public static Props Props(PlacementPolicy placement, TimeSpan reportTimeout) => Akka.Actor.Props.Create(() => new NodeDirectory(placement, reportTimeout));

    public static string RoleOf(string nodeId) => "node:" + nodeId;

    public static string? NodeIdOf(ClusterMember m) => m.Roles.FirstOrDefault(r => r.StartsWith("node:", StringComparison.Ordinal))?[5..];

    private void Route(string node, object command, string to = AgentName)
    {
        if (Member(node) is { } member) Context.ActorSelection(new RootActorPath(member.Address) / "user" / to).Tell(command, Sender);
        else Sender.Tell(new NodeRefused(node, VolumeError.NotFound, $"node '{node}' is not an up cluster member; `pbm node list` shows the nodes"));
    }

    private ClusterMember? Member(string node) =>
        _cluster.State.Members.FirstOrDefault(m => m.HasRole(RoleOf(node)) && m.Status == Akka.Cluster.MemberStatus.Up);

    /// <summary>Every member's report; a member that does not answer in time is listed as unreachable with no disks.</summary>
    private async Task<IReadOnlyList<NodeView>> GatherAsync()
    {
        var system = Context.System;
        var members = _cluster.State.Members.Where(m => NodeIdOf(m) is not null).ToArray();
        var unreachable = _cluster.State.Unreachable.Select(m => m.Address).ToHashSet();
        var reports = await Task.WhenAll(members.Select(async m =>
        {
            var id = NodeIdOf(m)!;
            if (m.Status == Akka.Cluster.MemberStatus.Up && !unreachable.Contains(m.Address))
            {
                try
                {
                    var agent = system.ActorSelection(new RootActorPath(m.Address) / "user" / AgentName);
                    return await agent.Ask<NodeView>(new GetReport(), _reportTimeout).ConfigureAwait(false);
                }
                catch (AskTimeoutException)
                {
                    _log.Warning("Node {Node} did not report within {Timeout}", id, _reportTimeout);
                }
            }
            var status = unreachable.Contains(m.Address) ? "unreachable" : m.Status.ToString().ToLowerInvariant();
            return new NodeView(id, m.Address.ToString(), status == "up" ? "unreachable" : status, false, null, null, []);
        })).ConfigureAwait(false);
        return reports.OrderBy(r => r.Id, StringComparer.Ordinal).ToArray();
    }
}
