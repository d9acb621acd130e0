using ActorStore.Blocks;
using ActorStore.Volume.Frontend.Nbd;
using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Volume.Protocol.EngineProtocol;

namespace ActorStore.Volume.Engine;

/// <summary>
/// The engine of one volume attached to this node (DESIGN §2): owns the replica channels, the I/O pipeline
/// (<see cref="VolumeIo"/>, which the NBD sessions call directly) and the export. Started and stopped by the
/// volume's controller, wherever that lives; the controller's restart or move does not touch it. Each start
/// under a newer epoch prepares a new set of channels; the first one creates the pipeline, later ones (a
/// salvage of an attached volume) swap their channels in under the same pipeline, so NBD clients stay
/// connected. Only this actor changes the replica set.
/// </summary>
public sealed partial class EngineActor : ReceiveActor, IWithTimers
{
    private readonly EngineEnvironment _env;
    private readonly string _volume;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _epoch;
    private long _size;
    private VolumeIo? _io;
    private RunningEngine? _running;
    private Dictionary<string, IReplicaChannel>? _prepared;
    private bool _paused;
    private int _starting;
    private IActorRef? _stopped;

    public EngineActor(string volume, EngineEnvironment env)
    {
        _volume = volume;
        _env = env;
        Receive<StartEngine>(OnStart);
        Receive<PreparedResult>(OnPrepared);
        Receive<ServeEngine>(OnServe);
        Receive<StopEngine>(OnStop);
        Receive<FindEngine>(_ => Sender.Tell(new EngineFound(_volume, _epoch, _io is not null, Path, _io is null || !_frontend ? null : _env.NbdEndpoint)));
        Receive<PauseIo>(OnPause);
        Receive<ResumeIo>(r => { if (r.Epoch == _epoch) ResumeNow(); });
        Receive<PauseExpired>(_ => ResumeNow());
        Receive<DropReplicas>(d => { if (d.Epoch == _epoch) Drop(d.ReplicaIds); });
        Receive<Fail>(OnFail);
        Receive<FailAnswered>(OnFailAnswered);
        Receive<FencedBy>(OnFenced);
        Receive<ServeTimedOut>(t => { if (t.Epoch == _epoch) GiveUpPrepared(); });
        Receive<CheckChannels>(_ => ReportBroken());
        Receive<AddReplica>(OnAddReplica);
        Receive<Joined>(OnJoined);
        Receive<CopyReplica>(OnCopyReplica);
        Receive<CopyEnded>(OnCopyEnded);
        Receive<EndTracking>(OnEndTracking);
        Receive<PromoteReplica>(p =>
        {
            if (p.Epoch == _epoch && _running is { } running && running.Promote(p.ReplicaId))
                _log.Info("Volume {Volume}: replica {Replica} is rebuilt and serves reads", _volume, p.ReplicaId);
        });
    }

    protected override void PreStart() => Timers.StartPeriodicTimer("check", CheckChannels.Instance, CheckEvery);

    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    private sealed class CheckChannels
    {
        public static readonly CheckChannels Instance = new();
    }

    /// <summary>
    /// A channel that broke while idle (its replica's node died, its disk hung) is reported at once, not at the
    /// next request that happens to reach it: the volume shows degraded, and its rebuild can start, right away.
    /// </summary>
    private void ReportBroken()
    {
        if (_running is not { } running) return;
        var broken = running.Channels.Where(c => c.Value.IsBroken && _reporting.Add(c.Key))
            .Select(c => new ReplicaFailure(c.Key, ReplicaStatus.IoError, "connection lost", c.Value.Epoch)).ToArray();
        if (broken.Length > 0) OnFail(new Fail(broken, new TaskCompletionSource<bool>()));
    }

    // Replicas whose broken channel was reported by the check (not twice); forgotten once dropped.
    private readonly HashSet<string> _reporting = new(StringComparer.Ordinal);

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>This actor's path with the node's address: what a controller on any node resolves to watch it.</summary>
    private string Path => Self.Path.ToStringWithAddress(((ExtendedActorSystem)Context.System).Provider.DefaultAddress);

    public static Props Props(string volume, EngineEnvironment env) => Akka.Actor.Props.Create(() => new EngineActor(volume, env));

    /// <summary>From the I/O path: persist these failures, then drop the replicas and answer the request that found them.</summary>
    internal sealed record Fail(IReadOnlyList<ReplicaFailure> Failures, TaskCompletionSource<bool> Persisted);

    /// <summary>From the I/O path: a replica refused the epoch of the channel that reached it.</summary>
    internal sealed record FencedBy(string ReplicaId, long Epoch);

    private sealed record PreparedResult(long Epoch, EngineStarter.Result? Result, Exception? Error, IActorRef ReplyTo);

    private sealed record FailAnswered(Fail Request, bool Recorded);

    private sealed record ServeTimedOut(long Epoch);

    private sealed record Stopped(EngineStopped Answer, IActorRef ReplyTo);

    private sealed class PauseExpired
    {
        public static readonly PauseExpired Instance = new();
    }

    private void OnStart(StartEngine s)
    {
        if (s.Epoch <= _epoch)
        {
            Sender.Tell(new EngineRefused(_volume, s.Epoch, $"the engine of '{_volume}' on node {_env.NodeId} already runs under epoch {_epoch}"));
            return;
        }
        _epoch = s.Epoch;
        _size = s.Size;
        _track = s.Track;
        _frontend = s.Frontend;
        _nodes = s.Replicas.ToDictionary(r => r.Id, r => r.Node, StringComparer.Ordinal);
        CloseUnserved();
        var starter = new EngineStarter(_env.NodeId, _env.Settings, _env.LocalReplicas, _env.Secret, _env.Calls);
        _starting++;
        var replyTo = Sender;
        var self = Self;
        Task.Run(() => starter.StartAsync(s)).ContinueWith(
            t => new PreparedResult(s.Epoch, t.IsCompletedSuccessfully ? t.Result : null, t.Exception?.GetBaseException(), replyTo),
            TaskScheduler.Default).PipeTo(self);
    }

    private void OnPrepared(PreparedResult p)
    {
        _starting--;
        if (p.Result is not { } result)
        {
            _log.Error(p.Error, "Volume {Volume}: engine start at epoch {Epoch} failed unexpectedly", _volume, p.Epoch);
            p.ReplyTo.Tell(new EngineRefused(_volume, p.Epoch, $"the engine start failed: {p.Error?.Message}"));
            if (p.Epoch == _epoch && _io is null) Leave();
            return;
        }
        if (p.Epoch != _epoch)
        {
            // A newer start (or a stop) came meanwhile: these channels carry an epoch nobody will serve.
            _ = RunningEngine.CloseAsync(result.Channels.Values);
            p.ReplyTo.Tell(new EngineRefused(_volume, p.Epoch, $"superseded by epoch {_epoch}"));
            return;
        }
        _prepared = result.Channels;
        if (result.Failures.Count > 0) _track = true; // replicas that did not open may come back and catch up
        Timers.StartSingleTimer("serve", new ServeTimedOut(p.Epoch), _env.ServeTimeout);
        p.ReplyTo.Tell(new EnginePrepared(_volume, p.Epoch, result.Channels.Keys.ToArray(),
            result.Failures.Select(f => new FailureReport(f.ReplicaId, f.Status.ToOutcome(), f.Operation, f.Epoch)).ToArray(),
            result.Details, result.CopiedBytes,
            result.Salvaged is { } c ? new SalvageChoice(c.Source, c.Reconciled, c.Left.Select(l => new LeftOutReplica(l.ReplicaId, l.Why)).ToArray(), c.Reason) : null));
    }

    private void OnServe(ServeEngine s)
    {
        if (s.Epoch != _epoch || _prepared is not { } channels)
        {
            Sender.Tell(new EngineRefused(_volume, s.Epoch, $"the engine of '{_volume}' has nothing prepared for epoch {s.Epoch} (it is at {_epoch})"));
            return;
        }
        Timers.Cancel("serve");
        _prepared = null;
        if (_running is { } running)
        {
            // Replicas brought back under a newer epoch: the same pipeline serves from them, its NBD clients still connected.
            running.Tracking |= _track;
            _ = RunningEngine.CloseAsync(running.Adopt(channels));
        }
        else
        {
            _io = new VolumeIo(_volume, _size, ReplicaSetView.Empty, new FailureSink(Self, _env.Settings.FailurePersistTimeout), _env.Lease);
            _running = new RunningEngine(_io, channels) { Tracking = _track };
            _running.Drop([]);
            if (_frontend) _env.Exports.Add(_io);
        }
        _log.Info("Volume {Volume} serving on node {Node} at epoch {Epoch} with {Replicas}", _volume, _env.NodeId, _epoch,
            string.Join(", ", channels.Select(c => c.Key + (c.Value.IsLocal ? " (in-process)" : " (socket)"))));
        Sender.Tell(new EngineServing(_volume, _epoch, Path, _frontend ? _env.NbdEndpoint : ""));
    }

    private void OnStop(StopEngine s)
    {
        if (s.Epoch < _epoch)
        {
            Sender.Tell(new EngineRefused(_volume, s.Epoch, $"the engine of '{_volume}' runs under the newer epoch {_epoch}"));
            return;
        }
        _copy?.Cancel.Cancel();
        // Answer and stop only once flushed: a detach that returns, or a node that stops, leaves nothing unflushed.
        var replyTo = Sender;
        var self = Self;
        StopServing(s.Flush).ContinueWith(_ => new Stopped(new EngineStopped(_volume, s.Epoch), replyTo), TaskScheduler.Default).PipeTo(self);
        Context.Parent.Tell(new EngineHost.Leaving(_volume));
        Become(Stopping);
    }

    private void Stopping()
    {
        Receive<Stopped>(s =>
        {
            s.ReplyTo.Tell(s.Answer);
            _stopped = s.ReplyTo;
            if (_starting == 0) Context.Stop(Self);
        });
        Receive<PreparedResult>(p =>
        {
            // A start still opening replicas when the stop came: let them go, then stop.
            _starting--;
            if (p.Result is { } r) _ = RunningEngine.CloseAsync(r.Channels.Values);
            p.ReplyTo.Tell(new EngineRefused(_volume, p.Epoch, $"the engine of '{_volume}' on node {_env.NodeId} was stopped"));
            if (_starting == 0 && _stopped is not null) Context.Stop(Self);
        });
        Receive<Fail>(f => f.Persisted.TrySetResult(false));
        Receive<StopEngine>(s => Sender.Tell(new EngineStopped(_volume, s.Epoch)));
        Receive<FindEngine>(_ => Sender.Tell(new EngineFound(_volume, 0, false, null, null)));
        Receive<IEngineCommand>(c => Sender.Tell(new EngineRefused(_volume, _epoch, $"the engine of '{_volume}' on node {_env.NodeId} is stopping; retry in a moment")));
        ReceiveAny(_ => { });
    }

    private void OnPause(PauseIo p)
    {
        if (p.Epoch != _epoch || _io is not { } io)
        {
            Sender.Tell(new EngineRefused(_volume, p.Epoch, $"no engine of '{_volume}' serves epoch {p.Epoch} on node {_env.NodeId}"));
            return;
        }
        if (!_paused)
        {
            _paused = true;
            // Resumed by itself if the controller that paused it never comes back (it moved, its node died).
            Timers.StartSingleTimer("pause", PauseExpired.Instance, p.AtMost);
        }
        var answer = new IoPaused(_volume, p.Epoch);
        io.PauseAsync().ContinueWith(_ => answer, TaskScheduler.Default).PipeTo(Sender);
    }

    private void ResumeNow()
    {
        if (!_paused) return;
        _paused = false;
        Timers.Cancel("pause");
        _io?.Resume();
    }

    private void OnFail(Fail f)
    {
        var report = new ReportFailures(_volume, _epoch, f.Failures.Select(x => new FailureReport(x.ReplicaId, x.Status.ToOutcome(), x.Operation, x.Epoch)).ToArray());
        ControllerReports.DeliverAsync(_env.Volumes, report, _env.Settings.FailurePersistTimeout)
            .ContinueWith(t => new FailAnswered(f, t.IsCompletedSuccessfully && t.Result is FailuresRecorded), TaskScheduler.Default)
            .PipeTo(Self);
    }


    private void OnFailAnswered(FailAnswered a)
    {
        if (a.Recorded && _clearing is { IsCompleted: false } clearing)
        {
            // The replicas are forgetting their absent logs: marks made for this failure before the clear lands would go with
            // it. Once it is done, every region counts as absent: that replica's catch-up copies whole layers, correctly.
            // Captured here, on the actor's thread: the replicas that stay, where they live.
            var calls = _env.Calls;
            var failed = a.Request.Failures.Select(f => f.ReplicaId).ToHashSet(StringComparer.Ordinal);
            var staying = _running is { } running ? running.Channels.Keys.Where(id => !failed.Contains(id) && _nodes.ContainsKey(id)).Select(id => (Id: id, Node: _nodes[id])).ToArray() : [];
            clearing.ContinueWith(_ =>
            {
                foreach (var (id, node) in staying) _ = calls.AskAsync(new ReplicaProtocol.MarkAllAbsent(node, id, Guid.NewGuid()));
            }, TaskScheduler.Default);
        }
        // The failed replicas may come back and catch up: from now on every write is tracked for them (DESIGN §3; Drop).
        if (!a.Recorded) _reporting.ExceptWith(a.Request.Failures.Select(f => f.ReplicaId)); // the check reports it again
        // Out of the read set before the request that found the failure answers (DESIGN §3).
        if (a.Recorded) Drop(a.Request.Failures.Select(f => f.ReplicaId));
        a.Request.Persisted.TrySetResult(a.Recorded);
    }

    private bool _track;
    private bool _frontend = true;
    private Task? _clearing;

    /// <summary>
    /// No replica is away any more (the controller says so, naming the set it knows): writes go untracked, then every replica
    /// forgets its absent log. A failure recorded meanwhile marks everything absent once that is done (<see cref="OnFailAnswered"/>).
    /// </summary>
    private void OnEndTracking(EndTracking e)
    {
        if (e.Epoch != _epoch || _running is not { } running || !running.Tracking || !running.Channels.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(e.Replicas)) return;
        _track = false;
        running.Tracking = false;
        running.Drop([]);
        var calls = _env.Calls;
        var replicas = running.Channels.Keys.Where(_nodes.ContainsKey).Select(id => (Id: id, Node: _nodes[id])).ToArray();
        _clearing = Task.WhenAll(replicas.Select(r => calls.AskAsync(new ReplicaProtocol.ClearAbsentRegions(r.Node, r.Id, Guid.NewGuid()))));
        _log.Info("Volume {Volume}: every replica is back; writes are no longer tracked", _volume);
    }

    private void Drop(IEnumerable<string> replicaIds)
    {
        var ids = replicaIds.ToArray();
        _reporting.ExceptWith(ids);
        // A replica leaving the set may come back: track for it (the controller ends that once it knows all are back).
        if (ids.Length > 0 && _running is { } tracked) tracked.Tracking = true;
        if (_running is { } running) _ = RunningEngine.CloseAsync(running.Drop(ids));
    }

    private void OnFenced(FencedBy f)
    {
        // A channel of an older epoch of this same engine (a salvage replaced it) is no news.
        if (f.Epoch < _epoch || _io is null) return;
        _log.Error("Volume {Volume}: replica {Replica} has accepted a newer engine than epoch {Epoch}; this engine on node {Node} stops serving",
            _volume, f.ReplicaId, f.Epoch, _env.NodeId);
        _env.Volumes.Tell(new EngineFenced(_volume, f.Epoch, f.ReplicaId));
        _ = StopServing(flush: false);
        Leave();
    }

    /// <summary>Stops at once, after telling the host, which sends no more commands here (a new start gets a new engine).</summary>
    private void Leave()
    {
        Context.Parent.Tell(new EngineHost.Leaving(_volume));
        Context.Stop(Self);
    }

    /// <summary>Nobody asked to serve what was prepared: let the replicas go.</summary>
    private void GiveUpPrepared()
    {
        _log.Warning("Volume {Volume}: the controller did not ask to serve epoch {Epoch} within {Timeout}; closing its replicas", _volume, _epoch, _env.ServeTimeout);
        CloseUnserved();
        if (_io is null) Leave();
    }

    private void CloseUnserved()
    {
        if (_prepared is { } prepared) _ = RunningEngine.CloseAsync(prepared.Values);
        _prepared = null;
    }

    /// <summary>
    /// Stops serving (the state changes here, on the actor's thread), then flushes when asked and closes every channel.
    /// The replicas that flushed forget their dirty regions: they match, so the next start has nothing to reconcile
    /// (reconciling copies through the chain into the heads, which would grow them apart).
    /// </summary>
    private async Task StopServing(bool flush)
    {
        var nodes = new Dictionary<string, string>(_nodes, StringComparer.Ordinal);
        var epoch = _epoch;
        var calls = _env.Calls;
        var prepared = _prepared;
        _prepared = null;
        var running = _running;
        _running = null;
        if (_io is { } io) _env.Exports.Remove(io);
        _io = null;
        _paused = false;
        if (prepared is not null)
        {
            if (flush) await Task.WhenAll(prepared.Values.Select(c => c.FlushAsync().AsTask())).ConfigureAwait(false);
            await RunningEngine.CloseAsync(prepared.Values).ConfigureAwait(false);
        }
        if (running is null) return;
        var flushed = await running.StopAsync(flush).ConfigureAwait(false);
        await Task.WhenAll(flushed.Where(nodes.ContainsKey)
            .Select(id => calls.AskAsync(new ReplicaProtocol.ClearDirtyRegions(nodes[id], id, Guid.NewGuid(), epoch)))).ConfigureAwait(false);
    }

    protected override void PostStop()
    {
        _copy?.Cancel.Cancel();
        // Stopped without StopEngine (the node shuts down): stop serving and flush, best effort.
        _ = StopServing(flush: true);
        base.PostStop();
    }
}
