using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Volume.Protocol.EngineProtocol;

namespace ActorStore.Volume.Engine;

// Rebuilding a replica from the running engine (DESIGN §5): a new replica joins write-only, then the copy of the
// snapshot layers runs in the background while the engine serves I/O.
public sealed partial class EngineActor
{
    private sealed record Joined(AddReplica Request, IReplicaChannel? Channel, string Why, IActorRef ReplyTo);

    private sealed record CopyEnded(CopyReplica Request, ReplicaCopy.Outcome Outcome);

    // Where each replica lives (the rebuild's copy asks replicas by node), and the rebuild running, if any.
    private Dictionary<string, string> _nodes = new(StringComparer.Ordinal);
    private (string ReplicaId, CancellationTokenSource Cancel)? _copy;

    private void OnAddReplica(AddReplica a)
    {
        if (a.Epoch != _epoch || _running is null)
        {
            Sender.Tell(new EngineRefused(_volume, a.Epoch, $"no engine of '{_volume}' serves epoch {a.Epoch} on node {_env.NodeId}"));
            return;
        }
        var starter = new EngineStarter(_env.NodeId, _env.Settings, _env.LocalReplicas, _env.Secret, _env.Calls);
        var (self, replyTo, volumeId, size) = (Self, Sender, a.VolumeId, _size);
        starter.JoinAsync(volumeId, size, a.Epoch, a.Replica)
            .ContinueWith(t => t.IsCompletedSuccessfully ? new Joined(a, t.Result.Channel, t.Result.Why, replyTo) : new Joined(a, null, t.Exception?.GetBaseException().Message ?? "cancelled", replyTo), TaskScheduler.Default)
            .PipeTo(self);
    }

    private void OnJoined(Joined j)
    {
        if (j.Channel is not { } channel)
        {
            j.ReplyTo.Tell(new EngineRefused(_volume, j.Request.Epoch, $"replica {j.Request.Replica.Id} did not join: {j.Why}"));
            return;
        }
        if (j.Request.Epoch != _epoch || _running is not { } running)
        {
            _ = channel.DisposeAsync();
            j.ReplyTo.Tell(new EngineRefused(_volume, j.Request.Epoch, $"the engine of '{_volume}' no longer serves epoch {j.Request.Epoch}"));
            return;
        }
        _nodes[j.Request.Replica.Id] = j.Request.Replica.Node;
        running.JoinWriteOnly(j.Request.Replica.Id, channel);
        _log.Info("Volume {Volume}: replica {Replica} on node {Node} joined write-only to be rebuilt", _volume, j.Request.Replica.Id, j.Request.Replica.Node);
        j.ReplyTo.Tell(new ReplicaJoined(_volume, j.Request.Epoch, j.Request.Replica.Id));
    }

    /// <summary>
    /// Copies the snapshot layers into the new replica in the background; progress goes to the controller every second,
    /// and the end is reported until the controller has it. Sources are the RW replicas of the view at each step.
    /// </summary>
    private void OnCopyReplica(CopyReplica c)
    {
        if (c.Epoch != _epoch || _running is not { } running || !running.Channels.TryGetValue(c.ReplicaId, out var target))
        {
            ReportEnd(c, new ReplicaCopy.Outcome(false, $"replica {c.ReplicaId} is not in the engine of '{_volume}' at epoch {c.Epoch}", 0, false));
            return;
        }
        if (_copy is { } running2 && running2.ReplicaId == c.ReplicaId) return; // already copying (a repeated command)
        _copy?.Cancel.Cancel();
        var cancel = new CancellationTokenSource();
        _copy = (c.ReplicaId, cancel);
        var io = running.Io;
        var nodes = new Dictionary<string, string>(_nodes, StringComparer.Ordinal);
        var volumes = _env.Volumes;
        var (volume, epoch) = (_volume, c.Epoch);
        var copy = new ReplicaCopy(c.ReplicaId, c.ReplicaNode, c.CatchUp, target, _env.Calls,
            () => io.View.Readable.Where(m => nodes.ContainsKey(m.ReplicaId)).Select(m => new ReplicaCopy.Source(m.ReplicaId, nodes[m.ReplicaId], m.Channel)).ToArray(),
            p => volumes.Tell(new RebuildProgress(volume, epoch, c.ReplicaId, p.Source, p.Done, p.Total, p.Copied, p.BytesPerSecond)),
            _env.Settings.RebuildBandwidth);
        _log.Info("Volume {Volume}: rebuilding replica {Replica} on node {Node}", _volume, c.ReplicaId, c.ReplicaNode);
        var self = Self;
        Task.Run(() => copy.RunAsync(cancel.Token)).ContinueWith(t => new CopyEnded(c, t.IsCompletedSuccessfully ? t.Result
            : new ReplicaCopy.Outcome(false, t.IsCanceled || t.Exception?.GetBaseException() is OperationCanceledException ? "the engine stopped" : $"the copy failed unexpectedly: {t.Exception?.GetBaseException().Message}", 0, false)),
            TaskScheduler.Default).PipeTo(self);
    }

    private void OnCopyEnded(CopyEnded e)
    {
        if (_copy is { } c && c.ReplicaId == e.Request.ReplicaId) _copy = null;
        if (e.Outcome.Succeeded) _log.Info("Volume {Volume}: replica {Replica} copied ({Detail})", _volume, e.Request.ReplicaId, e.Outcome.Detail);
        else _log.Warning("Volume {Volume}: the rebuild of replica {Replica} failed: {Detail}", _volume, e.Request.ReplicaId, e.Outcome.Detail);
        ReportEnd(e.Request, e.Outcome);
    }

    /// <summary>Tells the controller how the copy ended, as failures are told: until it answers or the failure timeout passes.</summary>
    private void ReportEnd(CopyReplica c, ReplicaCopy.Outcome o) =>
        _ = ControllerReports.DeliverAsync(_env.Volumes, new RebuildFinished(_volume, c.Epoch, c.ReplicaId, o.Succeeded, o.Detail, o.Copied, o.TargetFailed),
            _env.Settings.FailurePersistTimeout);
}
