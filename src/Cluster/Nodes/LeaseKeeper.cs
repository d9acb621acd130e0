using System.Diagnostics;
using ActorStore.Volume.Engine;
using Akka.Actor;
using Akka.Cluster;

namespace ActorStore.Cluster.Nodes;

/// <summary>
/// Renews this node's <see cref="NodeLease"/> (at /user/lease-keeper, one per node): every second it asks the
/// lease keeper of every other member for an answer; when this node and those that answered within the round
/// are a majority of the members, the lease runs one duration from the round's start. A node the cluster has
/// downed is quarantined by the others and hears nobody, so its lease runs out before the cluster can attach
/// its volumes elsewhere (DESIGN §2: the old engine cannot write). A cluster of one renews by itself.
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
        Receive<Ping>(_ => Sender.Tell(Pong.Instance));
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

    private void StartRound()
    {
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
