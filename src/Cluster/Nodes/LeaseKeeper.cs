using System.Diagnostics;
using ActorStore.Volume.Engine;
using Akka.Actor;
using Akka.Cluster;

namespace ActorStore.Cluster.Nodes;

/// <summary>
/// Renews this node's <see cref="NodeLease"/> (at /user/lease-keeper, one per node): every second it asks the
/// lease keeper of every other member for an answer; when this node and those that answered within the round
/// are a majority of the members, the lease runs one duration from the round's start. A keeper answers only a
/// node it sees up and reachable, and a node that is not up itself asks nobody. A node the cluster has downed
/// hears no answer, and a volume attached there is released only one lease after its node was removed, so the
/// old engine's lease has run out before the volume can be attached elsewhere (DESIGN §2: the old engine cannot
/// write). A cluster of one renews by itself.
/// </summary>
public sealed class LeaseKeeper : ReceiveActor, IWithTimers
{
    public const string Name = "lease-keeper";
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(1);
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly NodeLease _lease;

    public LeaseKeeper(NodeLease lease)
    {
        _lease = lease;
        // Answered only for a member this node sees up and reachable: once it has seen a node downed or silent,
        // that node's lease gets nothing from here.
        Receive<Ping>(_ =>
        {
            if (Sees(Sender.Path.Address)) Sender.Tell(Pong.Instance);
        });
        Receive<Tick>(_ => StartRound());
        Receive<RoundDone>(r =>
        {
            if (r.Answers + 1 > r.Members / 2.0) _lease.Renew(r.StartedAt);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeLease lease) => Akka.Actor.Props.Create(() => new LeaseKeeper(lease));

    /// <summary>Between lease keepers: are you there (and do you still talk to me)?</summary>
    public sealed class Ping : Protocol.IClusterMessage
    {
        public static readonly Ping Instance = new();
    }

    public sealed class Pong : Protocol.IClusterMessage
    {
        public static readonly Pong Instance = new();
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record RoundDone(long StartedAt, int Members, int Answers);

    protected override void PreStart() => Timers.StartPeriodicTimer("round", Tick.Instance, TimeSpan.Zero, Round);

    private bool Sees(Address address)
    {
        var state = _cluster.State;
        return state.Members.Any(m => m.Address == address && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving)
            && state.Unreachable.All(m => m.Address != address);
    }

    private void StartRound()
    {
        // A node that is not up itself (downed, removed, still joining) renews nothing.
        if (!Sees(_cluster.SelfAddress)) return;
        var startedAt = Stopwatch.GetTimestamp();
        var members = _cluster.State.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving).ToArray();
        var others = members.Where(m => m.Address != _cluster.SelfAddress).ToArray();
        var total = Math.Max(members.Length, 1);
        var system = Context.System;
        Task.WhenAll(others.Select(async m =>
        {
            try
            {
                await system.ActorSelection(new RootActorPath(m.Address) / "user" / Name).Ask<Pong>(Ping.Instance, Round).ConfigureAwait(false);
                return 1;
            }
            catch (Exception e) when (e is AskTimeoutException or ActorNotFoundException)
            {
                return 0;
            }
        })).ContinueWith(t => new RoundDone(startedAt, total, t.IsCompletedSuccessfully ? t.Result.Sum() : 0), TaskScheduler.Default).PipeTo(Self);
    }
}
