using ActorStore.Blocks;
using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;

namespace ActorStore.Volume.Engine;

/// <summary>An attached volume's live engine: its I/O pipeline and the channels it owns.</summary>
internal sealed class RunningEngine(VolumeIo io, Dictionary<string, IReplicaChannel> channels)
{
    public VolumeIo Io { get; } = io;

    public Dictionary<string, IReplicaChannel> Channels { get; } = channels;

    /// <summary>A replica of the volume is away: the views published send every write tracked (DESIGN §3).</summary>
    public bool Tracking { get; set; }

    /// <summary>The replicas that are not read-write: a rebuild's new replica (write-only) until it is promoted.</summary>
    private readonly Dictionary<string, ReplicaMode> _modes = new(StringComparer.Ordinal);

    /// <summary>A rebuild's new replica joins write-only: it takes every write published from now on, and serves no read.</summary>
    public void JoinWriteOnly(string replicaId, IReplicaChannel channel)
    {
        Channels[replicaId] = channel;
        _modes[replicaId] = ReplicaMode.WriteOnly;
        Drop([]);
    }

    /// <summary>The rebuilt replica serves reads too; false when it is not a write-only member (it failed meanwhile, or was promoted already).</summary>
    public bool Promote(string replicaId)
    {
        if (!Channels.ContainsKey(replicaId) || !_modes.Remove(replicaId)) return false;
        Drop([]);
        return true;
    }

    /// <summary>
    /// A salvage brought replicas back under a new epoch (their channels carry it): they serve from now on,
    /// through the same I/O pipeline, so the NBD clients connected meanwhile go on without reconnecting.
    /// Returns the channels they replace, to close.
    /// </summary>
    public List<IReplicaChannel> Adopt(Dictionary<string, IReplicaChannel> channels)
    {
        var old = Channels.Values.ToList();
        Channels.Clear();
        _modes.Clear();
        foreach (var (id, channel) in channels) Channels[id] = channel;
        Drop([]);
        return old;
    }

    /// <summary>Publishes the replica set without the failed replicas and returns their channels to close.</summary>
    public List<IReplicaChannel> Drop(IEnumerable<string> replicaIds)
    {
        var dropped = new List<IReplicaChannel>();
        foreach (var id in replicaIds)
        {
            _modes.Remove(id);
            if (Channels.Remove(id, out var channel)) dropped.Add(channel);
        }
        Io.Publish(new ReplicaSetView(Channels.Select(c => new ReplicaSetView.Member(c.Key, _modes.GetValueOrDefault(c.Key, ReplicaMode.ReadWrite), c.Value)).ToArray(), Tracking));
        return dropped;
    }

    /// <summary>
    /// Stops serving: new requests get ESHUTDOWN, in-flight ones finish, then (when asked) every replica
    /// is flushed, so a clean detach or node stop leaves nothing unflushed, and the channels close.
    /// Returns the replicas that flushed: they hold every write this engine acknowledged, durably.
    /// </summary>
    public async Task<string[]> StopAsync(bool flush)
    {
        await Io.CloseAsync().ConfigureAwait(false);
        var members = Channels.ToArray();
        var flushed = flush ? await Task.WhenAll(members.Select(c => c.Value.FlushAsync().AsTask())).ConfigureAwait(false) : [];
        await CloseAsync(Channels.Values).ConfigureAwait(false);
        Channels.Clear();
        return members.Where((_, i) => flush && flushed[i] == ReplicaStatus.Ok).Select(m => m.Key).ToArray();
    }

    public static async Task CloseAsync(IEnumerable<IReplicaChannel> channels)
    {
        foreach (var channel in channels.ToArray()) await channel.DisposeAsync().ConfigureAwait(false);
    }
}
