using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;

namespace ActorStore.Volume.Engine;

/// <summary>An attached volume's live engine: its I/O pipeline and the channels it owns.</summary>
internal sealed class RunningEngine(VolumeIo io, Dictionary<string, IReplicaChannel> channels)
{
    public VolumeIo Io { get; } = io;

    public Dictionary<string, IReplicaChannel> Channels { get; } = channels;

    /// <summary>
    /// A salvage brought replicas back under a new epoch (their channels carry it): they serve from now on,
    /// through the same I/O pipeline, so the NBD clients connected meanwhile go on without reconnecting.
    /// Returns the channels they replace, to close.
    /// </summary>
    public List<IReplicaChannel> Adopt(Dictionary<string, IReplicaChannel> channels)
    {
        var old = Channels.Values.ToList();
        Channels.Clear();
        foreach (var (id, channel) in channels) Channels[id] = channel;
        Drop([]);
        return old;
    }

    /// <summary>Publishes the replica set without the failed replicas and returns their channels to close.</summary>
    public List<IReplicaChannel> Drop(IEnumerable<string> replicaIds)
    {
        var dropped = new List<IReplicaChannel>();
        foreach (var id in replicaIds)
            if (Channels.Remove(id, out var channel)) dropped.Add(channel);
        Io.Publish(new ReplicaSetView(Channels.Select(c => new ReplicaSetView.Member(c.Key, ReplicaMode.ReadWrite, c.Value)).ToArray()));
        return dropped;
    }

    /// <summary>
    /// Stops serving: new requests get ESHUTDOWN, in-flight ones finish, then (when asked) every replica
    /// is flushed, so a clean detach or node stop leaves nothing unflushed, and the channels close.
    /// </summary>
    public async Task StopAsync(bool flush)
    {
        await Io.CloseAsync().ConfigureAwait(false);
        if (flush) await Task.WhenAll(Channels.Values.Select(c => c.FlushAsync().AsTask())).ConfigureAwait(false);
        await CloseAsync(Channels.Values).ConfigureAwait(false);
        Channels.Clear();
    }

    public static async Task CloseAsync(IEnumerable<IReplicaChannel> channels)
    {
        foreach (var channel in channels.ToArray()) await channel.DisposeAsync().ConfigureAwait(false);
    }
}
