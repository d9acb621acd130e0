using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Volume.Protocol.EngineProtocol;
using static ActorStore.Volume.Protocol.VolumeEvents;
using static ActorStore.Volume.Protocol.VolumeProtocol;

namespace ActorStore.Volume.Engine;

// Attachment: the controller starts the engine on the attach node in two phases (prepare, persist what the
// prepare found, serve), watches it, stops it on detach, and after its own recovery or the engine's death
// finds out what runs there. A node that is downed (its engine's watch ends with the address) or that stays
// unreachable past node-lost-grace releases the volume: detached, reason node-lost, its replicas there ERR.
// Every attach and every engine restart raises the epoch, so an old engine that comes back cannot write.
public sealed partial class VolumeActor
{
    /// <summary>The callers waiting for a detach in progress (null: none is).</summary>
    private List<IActorRef>? _detaching;

    private sealed record DetachDone(string Node, long Epoch, object Answer);

    /// <summary><paramref name="Engine"/>: the engine the answer names, resolved (null when none serves, or it could not be).</summary>
    private sealed record EngineLookup(DateTime Since, string Node, long Epoch, object Answer, IActorRef? Engine);

    /// <summary>An answer to ServeEngine, and the engine it names resolved to a reference the controller can watch.</summary>
    private sealed record Served(object Answer, IActorRef? Engine);

    private sealed record LookAgain(DateTime Since);

    /// <summary>An engine host answers a look-up at once; one that does not within this is unreachable for now.</summary>
    private static readonly TimeSpan FindTimeout = TimeSpan.FromSeconds(5);

    private void OnAttach(Attach a)
    {
        var replyTo = Sender;
        if (!Usable(replyTo) || !NotRestoring(replyTo) || AfterMaintenance(a)) return;
        if (_record.AttachedTo is { } node)
        {
            if (node != a.Node)
                replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' is attached to node {node}; detach it first (`pbm volume detach {_record.Name}`)"));
            else if (_engine is not null) Reply(replyTo);
            else replyTo.Tell(Refuse(VolumeError.Unavailable, $"volume '{_record.Name}' is attached to node {node} but its engine there does not answer; wait, or detach and attach it elsewhere"));
            return;
        }
        if (_record.Pending is not null) { replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' is busy with {_record.Pending.Kind}; retry")); return; }
        Persist(new Attached(a.Node, _record.Epoch + 1), e =>
        {
            Record(e);
            StartEngine(replyTo);
        });
    }

    /// <summary>
    /// Starts the engine on the attach node under the current epoch. A faulted volume is salvaged on the way:
    /// always when an operator attaches it (that is asking for it to serve), on a restart only with auto-salvage on.
    /// </summary>
    private void StartEngine(IActorRef replyTo)
    {
        var salvage = _record.Faulted;
        if (salvage && replyTo.IsNobody() && !_host.Settings.AutoSalvage)
        {
            CannotServe(replyTo, $"every replica has failed (faulted) and auto-salvage is off; `pbm volume salvage {_record.Name}` or an attach brings back the freshest intact ones");
            return;
        }
        // A write-only replica is never opened as one in sync: its rebuild stopped with the engine before, and it is replaced.
        var replicas = salvage ? _record.SalvageCandidates : _record.Replicas.Where(r => r.Mode == ReplicaMode.ReadWrite);
        var start = new StartEngine(_record.AttachedTo!, _record.Name, _record.Id, _record.Size, _record.Epoch,
            replicas.Select(r => new EngineReplica(r.Id, r.Node, r.Disk, r.FailedAt)).ToArray(), salvage, Track: AnyAway, Frontend: !_record.Maintenance);
        Run(() => AskEngine(start, _host.Settings.EngineStartTimeout), answer => Prepared(start, answer, () => StillAttached(start), () =>
        {
            var serving = ServeAsync(new ServeEngine(start.Node, start.Volume, start.Epoch)); // started here: it reads the actor's context
            Run(() => serving, served =>
            {
                if (!StillAttached(start)) DetachedMeanwhile(start, replyTo);
                else if (served is not { Answer: EngineServing s, Engine: { } engine }) CannotServe(replyTo, Describe(served.Answer));
                else
                {
                    Link(start.Node, s.Epoch, engine, s.NbdEndpoint);
                    _log.Info("Volume {Volume} attached to node {Node} at epoch {Epoch}, NBD {Endpoint}", _record.Name, start.Node, s.Epoch, s.NbdEndpoint);
                    Reply(replyTo);
                    Finish();
                    RefreshSnapshotCount();
                }
            });
        }, why => CannotServe(replyTo, why), () => DetachedMeanwhile(start, replyTo)), _record.Maintenance ? StartingMaintenance : "attaching");
    }

    /// <summary>
    /// The first phase's answer: persists what a salvage chose and which replicas failed, then runs
    /// <paramref name="serve"/> if some replica serves, <paramref name="cannot"/> with the reason if none does,
    /// or <paramref name="gone"/> if the start is no longer <paramref name="current"/> (detached or attached anew meanwhile).
    /// </summary>
    private void Prepared(StartEngine start, object answer, Func<bool> current, Action serve, Action<string> cannot, Action gone)
    {
        if (answer is not EnginePrepared p)
        {
            if (current()) cannot(Describe(answer));
            else gone();
            return;
        }
        PersistSalvage(p, () => PersistFailures(p.Failures.Select(ToFailure).ToArray(), () =>
        {
            if (!current()) gone();
            else if (p.Serving.Count > 0) serve();
            else
            {
                Tell(new StopEngine(start.Node, start.Volume, start.Epoch, Flush: false));
                var none = start.Salvage ? "no replica can be salvaged (each failed an fsync or is corrupt)" : "it has no healthy replica";
                cannot(p.Details.Count == 0 ? none : string.Join("; ", p.Details));
            }
        }));
    }

    private bool StillAttached(StartEngine start) => _record.AttachedTo == start.Node && _record.Epoch == start.Epoch && _detaching is null;

    private void DetachedMeanwhile(StartEngine start, IActorRef replyTo)
    {
        Tell(new StopEngine(start.Node, start.Volume, start.Epoch, Flush: true));
        if (!replyTo.IsNobody()) replyTo.Tell(Refuse(VolumeError.WrongState, $"volume '{_record.Name}' was detached while its engine started on node {start.Node}; attach it again"));
        Finish();
    }

    private void Link(string node, long epoch, IActorRef engine, string nbdEndpoint)
    {
        if (_engine is { } old && !old.Engine.Equals(engine)) Context.Unwatch(old.Engine);
        _engine = new EngineLink(node, epoch, engine, nbdEndpoint);
        Context.Watch(engine);
    }

    /// <summary>Asks the engine to serve and resolves the engine it names. Call it on the actor's thread; it goes on off it.</summary>
    private Task<Served> ServeAsync(ServeEngine serve)
    {
        var nodes = _host.Nodes;
        var system = Context.System;
        var timeout = _host.Settings.ReplicaCommandTimeout;
        return Run();

        async Task<Served> Run()
        {
            var answer = await AskEngine(nodes, serve, timeout).ConfigureAwait(false);
            if (answer is not EngineServing s) return new Served(answer, null);
            if (await ResolveAsync(system, s.EnginePath).ConfigureAwait(false) is { } engine) return new Served(answer, engine);
            // Serving but not to be watched: an engine nobody would stop. Stop it; the attach is refused.
            nodes.Tell(new StopEngine(serve.Node, serve.Volume, serve.Epoch, Flush: true), ActorRefs.NoSender);
            return new Served(new EngineUnreachable(serve.Volume, serve.Node, $"the engine on node {serve.Node} could not be reached after it started serving; it was stopped"), null);
        }
    }

    /// <summary>The engine actor at <paramref name="path"/>, or null when it cannot be reached in time (then it is as good as gone).</summary>
    private static async Task<IActorRef?> ResolveAsync(ActorSystem system, string? path)
    {
        if (path is null) return null;
        try
        {
            return await system.ActorSelection(path).ResolveOne(FindTimeout).ConfigureAwait(false);
        }
        catch (ActorNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The engine could not start: the volume is detached (so it can be attached again once fixed) and the attach refused.</summary>
    private void CannotServe(IActorRef replyTo, string why)
    {
        _log.Error("Volume {Volume}: engine cannot start: {Why}", _record.Name, why);
        var answer = Refuse(VolumeError.Unavailable, $"volume '{_record.Name}' cannot be served: {why}");
        if (_record.AttachedTo is null)
        {
            if (!replyTo.IsNobody()) replyTo.Tell(answer);
            Finish();
            return;
        }
        Persist(new Detached("engine-failed"), e =>
        {
            Record(e);
            if (!replyTo.IsNobody()) replyTo.Tell(answer);
            Finish();
        });
    }

    /// <summary>Answered in every state: the engine stops serving and flushes (or its node is unreachable), then the detach is recorded.</summary>
    private void OnDetach(Detach d)
    {
        var replyTo = Sender;
        if (!Usable(replyTo)) return;
        if (_record.AttachedTo is null || InMaintenance) { Reply(replyTo); return; } // an offline rebuild's engine is no attachment
        StopAndDetach(replyTo);
    }

    private void StopAndDetach(IActorRef replyTo)
    {
        var node = _record.AttachedTo!;
        if (_detaching is { } waiting) { waiting.Add(replyTo); return; }
        _detaching = [replyTo];
        if (_engine is { } link) Context.Unwatch(link.Engine);
        _engine = null;
        var epoch = _record.Epoch;
        AskEngine(new StopEngine(node, _record.Name, epoch, Flush: true), _host.Settings.ReplicaCommandTimeout)
            .ContinueWith(t => new DetachDone(node, epoch, t.Result), TaskScheduler.Default).PipeTo(Self);
    }

    private void OnDetachDone(DetachDone d)
    {
        var waiting = _detaching ?? [];
        if (_record.AttachedTo != d.Node || _record.Epoch != d.Epoch)
        {
            _detaching = null;
            foreach (var w in waiting) Reply(w);
            return;
        }
        if (d.Answer is not EngineStopped)
            _log.Warning("Volume {Volume}: the engine on node {Node} did not confirm its stop ({Why}); detached anyway: its epoch {Epoch} is refused by every replica once the volume is attached again",
                _record.Name, d.Node, Describe(d.Answer), d.Epoch);
        Persist(new Detached(), e =>
        {
            Record(e);
            _detaching = null;
            _log.Info("Volume {Volume} detached from node {Node}", _record.Name, d.Node);
            foreach (var w in waiting) Reply(w);
            ResumeAfterMaintenance();
        });
    }

    /// <summary>The watched engine is gone: its node was removed from the cluster (node-lost), or it stopped (find out what runs there).</summary>
    private void OnEngineTerminated(Terminated t)
    {
        if (_engine is not { } link || !link.Engine.Equals(t.ActorRef)) return;
        _engine = null;
        if (t.AddressTerminated)
        {
            NodeLost(link.Node, $"node {link.Node} left the cluster (downed or crashed)");
            return;
        }
        _log.Warning("Volume {Volume}: its engine on node {Node} stopped; looking for it", _record.Name, link.Node);
        LookForEngine(DateTime.UtcNow);
    }

    /// <summary>Asks the attach node what engine of this volume runs there (after recovery, or after the engine stopped).</summary>
    private void LookForEngine(DateTime since)
    {
        if (_record.AttachedTo is not { } node) return;
        var epoch = _record.Epoch;
        var nodes = _host.Nodes;
        var system = Context.System;
        var find = new FindEngine(node, _record.Name);
        Lookup().PipeTo(Self);

        async Task<EngineLookup> Lookup()
        {
            var answer = await AskEngine(nodes, find, FindTimeout).ConfigureAwait(false);
            var engine = answer is EngineFound { Serving: true } f ? await ResolveAsync(system, f.EnginePath).ConfigureAwait(false) : null;
            return new EngineLookup(since, node, epoch, answer, engine);
        }
    }

    private void OnEngineLookup(EngineLookup l)
    {
        if (_record.AttachedTo != l.Node || _record.Epoch != l.Epoch || _engine is not null || _detaching is not null) return;
        switch (l.Answer)
        {
            case EngineFound { Serving: true } f when f.Epoch == _record.Epoch && l.Engine is { } engine:
                Link(l.Node, f.Epoch, engine, f.NbdEndpoint ?? "");
                _log.Info("Volume {Volume}: found its engine serving on node {Node} at epoch {Epoch}", _record.Name, l.Node, f.Epoch);
                break;
            case EngineFound when _activity is not null:
                // A workflow runs (its answers may change the record): look again when it is done.
                Timers.StartSingleTimer("look", new LookAgain(l.Since), TimeSpan.FromSeconds(1));
                break;
            case EngineFound:
                // The node runs, without this engine (it restarted under the same id): serve again, under a new epoch.
                _log.Info("Volume {Volume}: no engine at epoch {Epoch} on node {Node}; starting one", _record.Name, _record.Epoch, l.Node);
                Persist(new EpochRaised(_record.Epoch + 1), e =>
                {
                    Record(e);
                    StartEngine(ActorRefs.Nobody);
                });
                break;
            case EngineUnreachable { Downed: true } u:
                NodeLost(l.Node, u.Detail);
                break;
            default:
                if (DateTime.UtcNow - l.Since >= _host.Settings.NodeLostAfter)
                    NodeLost(l.Node, $"node {l.Node} did not answer for {_host.Settings.NodeLostAfter.TotalSeconds:0} s ({Describe(l.Answer)})");
                else
                    Timers.StartSingleTimer("look", new LookAgain(l.Since), TimeSpan.FromSeconds(2));
                break;
        }
    }

    /// <summary>
    /// The attach node is gone: the volume is detached (reason node-lost) so it can be attached elsewhere at
    /// once, and its replicas there are ERR (they miss every write from now on).
    /// </summary>
    private void NodeLost(string node, string why)
    {
        // The old engine may have renewed its node's lease up to the moment the node was removed (a member that had
        // not yet heard of the removal answered it): wait one lease out before the volume may be attached elsewhere.
        _log.Warning("Volume {Volume}: node {Node} is lost ({Why}); released in {Lease} s, once its engine's lease has run out", _record.Name, node, why,
            _host.Settings.EngineLeaseDuration.TotalSeconds);
        Timers.StartSingleTimer("node-lost", new ReleaseLostNode(node, _record.Epoch, why), _host.Settings.EngineLeaseDuration);
    }

    private sealed record ReleaseLostNode(string Node, long Epoch, string Why);

    private void OnReleaseLostNode(ReleaseLostNode r)
    {
        if (_record.AttachedTo != r.Node || _record.Epoch != r.Epoch || _engine is not null) return; // detached or re-attached meanwhile
        var why = r.Why;
        var node = r.Node;
        var now = DateTimeOffset.UtcNow;
        var events = _record.Replicas.Where(r => r.Node == node && r.Mode != ReplicaMode.Error)
            .Select(r => (IVolumeEvent)new ReplicaFailed(r.Id, $"node-lost: {why}", now, ReplicaFault.NodeLost))
            .Append(new Detached("node-lost"))
            .ToArray();
        var left = events.Length;
        PersistAll(events, e =>
        {
            Record(e);
            if (--left > 0) return;
            _log.Warning("Volume {Volume}: detached (node-lost): {Why}; volume is {Robustness}; attach it on another node", _record.Name, why, _record.Robustness);
        });
    }

    private void OnEngineFenced(EngineFenced f) =>
        _log.Error("Volume {Volume}: its engine at epoch {Epoch} was refused by replica {Replica} (a newer engine owns it) and stopped", _record.Name, f.Epoch, f.ReplicaId);

    /// <summary>Sends an engine command through the node directory; a node that is not up or does not answer in time is <see cref="EngineUnreachable"/>.</summary>
    private Task<object> AskEngine(IEngineCommand command, TimeSpan timeout) => AskEngine(_host.Nodes, command, timeout);

    private static async Task<object> AskEngine(IActorRef nodes, IEngineCommand command, TimeSpan timeout)
    {
        try
        {
            return await nodes.Ask<object>(command, timeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return new EngineUnreachable(command.Volume, command.Node, $"node {command.Node} did not answer within {timeout.TotalSeconds:0} s");
        }
    }

    private void Tell(IEngineCommand command) => _host.Nodes.Tell(command, ActorRefs.NoSender);

    private static string Describe(object answer) => answer switch
    {
        EngineUnreachable u => u.Detail,
        EngineRefused r => r.Detail,
        _ => $"the engine answered {answer.GetType().Name}",
    };

    private static ReplicaFailure ToFailure(FailureReport f) => new(f.ReplicaId, f.Outcome.ToStatus(), f.Operation, f.Epoch);
}
