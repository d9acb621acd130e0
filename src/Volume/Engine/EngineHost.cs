using ActorStore.Volume.Protocol;
using Akka.Actor;
using static ActorStore.Volume.Protocol.EngineProtocol;

namespace ActorStore.Volume.Engine;

/// <summary>
/// Hosts the engines of the volumes attached to this node (one per node, at /user/engines; DESIGN §2, as
/// Longhorn's instance manager hosts engine processes). Routes each engine command to its volume's engine,
/// creating it on the first start. On the node's shutdown every engine stops serving and flushes its
/// replicas before the actor system goes (<see cref="StopAll"/>, run by coordinated shutdown).
/// </summary>
public sealed class EngineHost : ReceiveActor
{
    public const string Name = "engines";
    private readonly EngineEnvironment _env;

    public EngineHost(EngineEnvironment env)
    {
        _env = env;
        Receive<StartEngine>(s => (Child(s.Volume) ?? Context.ActorOf(EngineActor.Props(s.Volume, _env), s.Volume)).Forward(s));
        Receive<FindEngine>(f =>
        {
            if (Child(f.Volume) is { } engine) engine.Forward(f);
            else Sender.Tell(new EngineFound(f.Volume, 0, false, null, null));
        });
        Receive<StopEngine>(s =>
        {
            if (Child(s.Volume) is { } engine) engine.Forward(s);
            else Sender.Tell(new EngineStopped(s.Volume, s.Epoch)); // nothing runs: stopped already
        });
        Receive<IEngineCommand>(c =>
        {
            if (Child(c.Volume) is { } engine) engine.Forward(c);
            else Sender.Tell(new EngineRefused(c.Volume, 0, $"no engine of volume '{c.Volume}' runs on node {_env.NodeId}"));
        });
        ReceiveAsync<StopAll>(async _ =>
        {
            var children = Context.GetChildren().ToArray();
            await Task.WhenAll(children.Select(async c =>
            {
                try
                {
                    await c.Ask<object>(new StopEngine(_env.NodeId, c.Path.Name, long.MaxValue, Flush: true), _env.Settings.ReplicaCommandTimeout).ConfigureAwait(false);
                }
                catch (AskTimeoutException)
                {
                    // A replica that does not flush in time: what it did not take was never acknowledged as flushed.
                }
            })).ConfigureAwait(false);
            Sender.Tell(Akka.Done.Instance);
        });
    }

    public static Props Props(EngineEnvironment env) => Akka.Actor.Props.Create(() => new EngineHost(env));

    /// <summary>Stop every engine, flushing its replicas; answered with <see cref="Akka.Done"/> when all have stopped.</summary>
    public sealed class StopAll
    {
        public static readonly StopAll Instance = new();
    }

    /// <summary>A running child (one that is stopping does not take commands; a start after it waits for the name to free).</summary>
    private static IActorRef? Child(string volume) => Context.Child(volume) is var c && !c.IsNobody() ? c : null;

    // Engines are hosts of live I/O: a crash of one is logged and it stops (its controller hears it and
    // starts a new one under a new epoch), it is never silently restarted without its replicas.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);
}
