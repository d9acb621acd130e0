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
    // The running engine of each volume. One that is stopping has left (Leaving) and takes no commands: a new
    // start gets a new engine at once, under a name of its own, while the old one finishes its flush.
    private readonly Dictionary<string, IActorRef> _engines = new(StringComparer.Ordinal);
    private long _incarnation;

    public EngineHost(EngineEnvironment env)
    {
        _env = env;
        Running();
    }

    private void Running()
    {
        Receive<StartEngine>(s =>
        {
            if (Child(s.Volume) is not { } engine)
            {
                engine = Context.Watch(Context.ActorOf(EngineActor.Props(s.Volume, _env), $"{s.Volume}-{++_incarnation}"));
                _engines[s.Volume] = engine;
            }
            engine.Forward(s);
        });
        Receive<Leaving>(l =>
        {
            if (_engines.TryGetValue(l.Volume, out var engine) && engine.Equals(Sender)) _engines.Remove(l.Volume);
        });
        Receive<Terminated>(t =>
        {
            foreach (var (volume, engine) in _engines.Where(e => e.Value.Equals(t.ActorRef)).ToArray()) _engines.Remove(volume);
        });
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
            // From now on this node takes no engine: a controller that asks waits for the node to come back (node-lost-grace).
            var replyTo = Sender;
            Become(ShuttingDown);
            var engines = _engines.ToArray();
            var timeout = _env.Settings.ReplicaCommandTimeout;
            // No ConfigureAwait(false) here: the handler goes on in the actor's context.
            await Task.WhenAll(engines.Select(e => StopAsync(e.Value, new StopEngine(_env.NodeId, e.Key, long.MaxValue, Flush: true), timeout)));
            replyTo.Tell(Akka.Done.Instance);
        });
    }

    private static async Task StopAsync(IActorRef engine, StopEngine stop, TimeSpan timeout)
    {
        try
        {
            await engine.Ask<object>(stop, timeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            // A replica that does not flush in time: what it did not take was never acknowledged as flushed.
        }
    }

    private void ShuttingDown()
    {
        Receive<Leaving>(l =>
        {
            if (_engines.TryGetValue(l.Volume, out var engine) && engine.Equals(Sender)) _engines.Remove(l.Volume);
        });
        Receive<IEngineCommand>(c => Sender.Tell(new EngineUnreachable(c.Volume, _env.NodeId, $"node {_env.NodeId} is shutting down")));
        Receive<StopAll>(_ => Sender.Tell(Akka.Done.Instance));
        Receive<Terminated>(_ => { });
    }

    public static Props Props(EngineEnvironment env) => Akka.Actor.Props.Create(() => new EngineHost(env));

    /// <summary>Stop every engine, flushing its replicas; answered with <see cref="Akka.Done"/> when all have stopped.</summary>
    public sealed class StopAll
    {
        public static readonly StopAll Instance = new();
    }

    /// <summary>From an engine that begins to stop: it takes no more commands.</summary>
    public sealed record Leaving(string Volume);

    private IActorRef? Child(string volume) => _engines.GetValueOrDefault(volume);

    // Engines are hosts of live I/O: a crash of one is logged and it stops (its controller hears it and
    // starts a new one under a new epoch), it is never silently restarted without its replicas.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);
}
