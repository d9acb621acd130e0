using System.Net;
using ActorStore.Blocks;
using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;
using ActorStore.Volume.Replicas;
using static ActorStore.Volume.Protocol.ReplicaProtocol;

namespace ActorStore.Volume.Engine;

/// <summary>
/// Starts a volume's engine (DESIGN §2–3): every healthy replica accepts the new epoch and reports its
/// endpoint, revision and dirty regions; the engine connects (in-process when the replica is local and
/// the socket path is not forced); after an unclean stop it copies the dirty regions of the freshest
/// replica to the others and clears the marks — all before the first client request. To salvage a faulted
/// volume it opens the failed replicas instead and keeps those <see cref="SalvagePlan"/> picks: the freshest,
/// which the others are reconciled from.
/// </summary>
public sealed class EngineStarter(string nodeId, VolumeSettings settings, LocalReplicas locals, DataSecret secret, ReplicaCalls calls)
{
    /// <summary><paramref name="Salvaged"/>: what a salvage chose (null when it was not one, or no replica could be salvaged).</summary>
    public sealed record Result(Dictionary<string, IReplicaChannel> Channels, List<ReplicaFailure> Failures, List<string> Details, long CopiedBytes, SalvagePlan.Choice? Salvaged = null);

    public async Task<Result> StartAsync(EngineProtocol.StartEngine plan)
    {
        var failures = new List<ReplicaFailure>();
        var details = new List<string>();
        var answers = await calls.AskAllAsync(plan.Replicas.Select(r => (IReplicaCommand)new OpenReplica(r.Node, r.Id, Guid.NewGuid(), plan.Epoch))).ConfigureAwait(false);
        var ready = new List<(EngineProtocol.EngineReplica Replica, Opened Answer)>();
        for (var i = 0; i < answers.Length; i++)
        {
            var replica = plan.Replicas[i];
            if (answers[i] is not Opened o)
                Fail(replica.Id, ReplicaCalls.StatusOf(answers[i]), $"open: {ReplicaCalls.DetailOf(answers[i])}");
            else if (o.Size != plan.Size)
                Fail(replica.Id, ReplicaStatus.InvalidArgument, $"replica size {o.Size} differs from the volume's {plan.Size}");
            else
                ready.Add((replica, o));
        }
        SalvagePlan.Choice? salvaged = null;
        if (plan.Salvage)
        {
            salvaged = SalvagePlan.Choose(ready.Select(r => new SalvagePlan.Candidate(r.Replica.Id, r.Answer.Revision,
                r.Answer.DirtyRegions.Sum(d => d.Length), r.Replica.FailedAt, r.Answer.Size, r.Answer.Chain)).ToArray(), plan.Size);
            var kept = salvaged is null ? [] : salvaged.Reconciled.Prepend(salvaged.Source).ToList();
            // The source first: reconciling copies from the first of the highest revision.
            ready = ready.Where(r => kept.Contains(r.Replica.Id)).OrderBy(r => kept.IndexOf(r.Replica.Id)).ToList();
        }
        var opened = new List<(EngineProtocol.EngineReplica Replica, Opened Answer, IReplicaChannel Channel)>();
        foreach (var (replica, o) in ready)
        {
            var (status, channel) = await ConnectAsync(plan, replica, o).ConfigureAwait(false);
            if (channel is null) Fail(replica.Id, status, $"connect to {o.DataHost}:{o.DataPort}: {status}");
            else opened.Add((replica, o, channel));
        }
        var copied = 0L;
        if (opened.Count > 0 && opened.Any(o => o.Answer.DirtyRegions.Count > 0))
            copied = await ReconcileAsync(opened, Fail).ConfigureAwait(false);
        if (opened.Count > 0)
        {
            var cleared = await calls.AskAllAsync(opened.Select(o => (IReplicaCommand)new ClearDirtyRegions(o.Replica.Node, o.Replica.Id, Guid.NewGuid(), plan.Epoch))).ConfigureAwait(false);
            for (var i = cleared.Length - 1; i >= 0; i--)
            {
                if (ReplicaCalls.StatusOf(cleared[i]) == ReplicaStatus.Ok) continue;
                Fail(opened[i].Replica.Id, ReplicaCalls.StatusOf(cleared[i]), $"clear dirty regions: {ReplicaCalls.DetailOf(cleared[i])}");
            }
        }
        var failedIds = failures.Select(f => f.ReplicaId).ToHashSet();
        var channels = new Dictionary<string, IReplicaChannel>();
        foreach (var o in opened)
        {
            if (failedIds.Contains(o.Replica.Id)) await o.Channel.DisposeAsync().ConfigureAwait(false);
            else channels[o.Replica.Id] = o.Channel;
        }
        return new Result(channels, failures, details, copied, salvaged);

        void Fail(string id, ReplicaStatus status, string why)
        {
            if (failures.Any(f => f.ReplicaId == id)) return;
            failures.Add(new ReplicaFailure(id, status, why));
            details.Add($"{id}: {why}");
        }
    }

    /// <summary>
    /// Opens one more replica under a running engine's epoch (a rebuild's new replica) and connects to it;
    /// the channel, or why not.
    /// </summary>
    public async Task<(IReplicaChannel? Channel, string Why)> JoinAsync(Guid volumeId, long size, long epoch, EngineProtocol.EngineReplica replica)
    {
        var answer = await calls.AskAsync(new OpenReplica(replica.Node, replica.Id, Guid.NewGuid(), epoch)).ConfigureAwait(false);
        if (answer is not Opened opened) return (null, $"open: {ReplicaCalls.DetailOf(answer)}");
        if (opened.Size != size) return (null, $"replica size {opened.Size} differs from the volume's {size}");
        var plan = new EngineProtocol.StartEngine(nodeId, "", volumeId, size, epoch, [replica], Salvage: false);
        var (status, channel) = await ConnectAsync(plan, replica, opened).ConfigureAwait(false);
        return channel is null ? (null, $"connect to {opened.DataHost}:{opened.DataPort}: {status}") : (channel, "");
    }

    private async Task<(ReplicaStatus, IReplicaChannel?)> ConnectAsync(EngineProtocol.StartEngine plan, EngineProtocol.EngineReplica replica, Opened opened)
    {
        var options = new ReplicaChannelOptions { RequestTimeout = settings.ReplicaRequestTimeout };
        if (replica.Node == nodeId && !settings.ForceSocket && locals.TryGet(replica.Id, out var local))
        {
            var (status, channel) = LocalReplicaChannel.Open(local, plan.Epoch, options);
            return (status, channel);
        }
        var endpoint = new IPEndPoint(IPAddress.Parse(opened.DataHost), opened.DataPort);
        var (s, socket) = await SocketReplicaChannel.ConnectAsync(endpoint, secret, plan.VolumeId, replica.Id, plan.Epoch, options).ConfigureAwait(false);
        return (s, socket);
    }

    /// <summary>
    /// Copies every dirty region from the replica with the highest revision (advanced per flush) to the
    /// others, so all read the same before any client does. A replica that fails a copy is failed.
    /// </summary>
    private static async Task<long> ReconcileAsync(
        List<(EngineProtocol.EngineReplica Replica, Opened Answer, IReplicaChannel Channel)> opened, Action<string, ReplicaStatus, string> fail)
    {
        var regions = BlockExtent.Union(opened.Select(o => o.Answer.DirtyRegions.Select(r => r.ToExtent()).ToArray()));
        var alive = opened.OrderByDescending(o => o.Answer.Revision).ToList();
        var buffer = new byte[1 << 20];
        long copied = 0;
        foreach (var region in regions)
        {
            for (var offset = region.Offset; offset < region.Offset + region.Length;)
            {
                if (alive.Count < 2) return copied;
                var length = (int)Math.Min(buffer.Length, region.Offset + region.Length - offset);
                var source = alive[0];
                var read = await source.Channel.ReadAsync(offset, buffer.AsMemory(0, length)).ConfigureAwait(false);
                if (read != ReplicaStatus.Ok)
                {
                    fail(source.Replica.Id, read, $"read while reconciling dirty regions: {read}");
                    alive.RemoveAt(0);
                    continue;
                }
                for (var i = alive.Count - 1; i >= 1; i--)
                {
                    var written = await alive[i].Channel.WriteAsync(offset, buffer.AsMemory(0, length)).ConfigureAwait(false);
                    if (written == ReplicaStatus.Ok) continue;
                    fail(alive[i].Replica.Id, written, $"write while reconciling dirty regions: {written}");
                    alive.RemoveAt(i);
                }
                if (AbandonedMemory.IsHeld(buffer)) buffer = new byte[buffer.Length]; // a hung disk's write still reads it
                copied += length;
                offset += length;
            }
        }
        for (var i = alive.Count - 1; i >= 0; i--)
        {
            var flushed = await alive[i].Channel.FlushAsync().ConfigureAwait(false);
            if (flushed != ReplicaStatus.Ok) fail(alive[i].Replica.Id, flushed, $"flush after reconciling: {flushed}");
        }
        return copied;
    }
}
