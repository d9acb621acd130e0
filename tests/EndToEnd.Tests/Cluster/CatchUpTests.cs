using System.Diagnostics;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Harness;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.EndToEnd.Tests.Harness.TestData;

namespace ActorStore.EndToEnd.Tests.Cluster;

/// <summary>
/// Delta catch-up with real node processes (DESIGN §3): a replica that comes back within the replenishment wait — its
/// node restarted, or its data connections dropped — is not rebuilt: it gets the regions written while it was away
/// and the snapshots taken meanwhile, and every replica's layers are identical afterwards, read from their files.
/// </summary>
public sealed class CatchUpTests(ITestOutputHelper output) : NodeTest(output)
{
    private const long Region = MiB; // the absent log's regions

    // A wait long enough that nothing is rebuilt while the replica is away.
    private const string Config = """
        actorstore.volume.replica-replenishment-wait = 5m
        actorstore.node.fault-hooks = on
        """;

    [Fact]
    public async Task A_replica_node_restarted_within_the_wait_catches_up_with_what_was_written_meanwhile()
    {
        var (cluster, name, engine, victim, replica, endpoint) = await StartAsync("catchup");
        victim.Kill();
        await WaitAwayAsync(engine, name, replica);

        // Written while it is away: scattered writes, a snapshot, a delete, more writes; the writes counted by the 1 MiB regions they touch.
        var away = new AwayWrites(endpoint);
        await away.WriteAsync(80 * MiB + 4096, 3 * MiB, seed: 3);
        await away.WriteAsync(150 * MiB, MiB, seed: 4);
        await engine.Api.SnapshotAsync(name, "away");
        await engine.Api.DeleteSnapshotAsync(name, "before"); // marked removed: the catch-up marks it on the returning replica too
        await away.WriteAsync(200 * MiB, 2 * MiB, seed: 5);
        var clock = Stopwatch.StartNew();
        VolumeInfo healed;
        using (var writing = new CancellationTokenSource())
        {
            // Writes go on while the node restarts and the replica catches up.
            var writer = away.KeepWritingAsync(220 * MiB, 8, writing.Token);
            await victim.StartAgainAsync();
            healed = await WaitWholeAsync(engine, name, replica);
            writing.Cancel();
            await writer;
        }
        Out.WriteLine($"measured: {clock.Elapsed.TotalSeconds:0.0} s from the restart to healthy");

        var copied = await AssertCaughtUpAsync(engine, name, replica, away);
        foreach (var (offset, length, seed) in away.Verifiable) await NbdData.VerifyAsync(endpoint, offset, length, seed);
        await NbdData.VerifyAsync(endpoint, 0, 64 * MiB, seed: 1);
        Assert.True(copied > 0);
        await StopAndCompareAsync(cluster, engine, name, healed);
    }

    [Fact]
    public async Task A_replica_away_while_the_engine_restarts_catches_up_with_the_writes_of_both_engines()
    {
        var (cluster, name, engine, victim, replica, endpoint) = await StartAsync("restart");
        victim.Kill();
        await WaitAwayAsync(engine, name, replica);
        var away = new AwayWrites(endpoint);
        await away.WriteAsync(70 * MiB, 2 * MiB, seed: 3);

        // The engine stops and another starts (a new epoch): the writes it takes are tracked too (the record says so).
        await engine.Api.DetachAsync(name);
        var again = await engine.Api.AttachToAsync(name, engine.Ready.NodeId);
        Assert.Equal(2, again.Epoch);
        away = away.Through(again.Endpoint!);
        await away.WriteAsync(120 * MiB, 3 * MiB, seed: 4);
        await victim.StartAgainAsync();
        var healed = await WaitWholeAsync(engine, name, replica);

        await AssertCaughtUpAsync(engine, name, replica, away);
        foreach (var (offset, length, seed) in away.Verifiable) await NbdData.VerifyAsync(again.Endpoint!, offset, length, seed);
        await StopAndCompareAsync(cluster, engine, name, healed);
    }

    [Fact]
    public async Task A_data_connection_dropped_for_a_moment_is_a_catch_up_not_a_rebuild()
    {
        var (cluster, name, engine, victim, replica, endpoint) = await StartAsync("dropped");
        var away = new AwayWrites(endpoint);
        VolumeInfo healed;
        using (var writing = new CancellationTokenSource())
        {
            var writer = away.KeepWritingAsync(100 * MiB, 4, writing.Token);
            await Task.Delay(500);
            victim.DropDataConnections();
            await WaitAwayAsync(engine, name, replica);
            healed = await WaitWholeAsync(engine, name, replica);
            writing.Cancel();
            await writer;
        }
        await AssertCaughtUpAsync(engine, name, replica, away);
        foreach (var (offset, length, seed) in away.Verifiable) await NbdData.VerifyAsync(endpoint, offset, length, seed);
        await StopAndCompareAsync(cluster, engine, name, healed);
    }

    /// <summary>Three nodes, a 3-replica volume attached to a node whose replica is not the victim's, with data in a snapshot and in the head.</summary>
    private async Task<(LocalCluster, string, NodeProcess Engine, NodeProcess Victim, string Replica, string Endpoint)> StartAsync(string prefix)
    {
        var cluster = Own(await LocalCluster.StartAsync(3, config: Config));
        foreach (var node in cluster.Nodes) Watch(node);
        var name = VolumeName(prefix);
        var created = await cluster["node-1"].Api.CreateVolumeAsync(name, 256 * MiB, 3);
        var victim = cluster.Nodes.First(n => n.Ready.NodeId != created.Controller);
        var engine = cluster.Nodes.First(n => n != victim);
        var attached = await engine.Api.AttachToAsync(name, engine.Ready.NodeId);
        await NbdData.WriteAndFlushAsync(attached.Endpoint!, 0, 64 * MiB, seed: 1);
        await engine.Api.SnapshotAsync(name, "before");
        await NbdData.WriteAndFlushAsync(attached.Endpoint!, 64 * MiB, 32 * MiB, seed: 2);
        return (cluster, name, engine, victim, created.Replicas.Single(r => r.Node == victim.Ready.NodeId).Id, attached.Endpoint!);
    }

    private static Task<VolumeInfo> WaitAwayAsync(NodeProcess engine, string name, string replica) =>
        LocalCluster.WaitForAsync(engine, name, v => v.Replicas.Any(r => r.Id == replica && r.Mode == "ERR"), TimeSpan.FromSeconds(30), $"replica {replica} failed");

    private static Task<VolumeInfo> WaitWholeAsync(NodeProcess engine, string name, string replica) =>
        LocalCluster.WaitForAsync(engine, name, v => v.Robustness == "healthy" && v.Replicas.Count == 3 && v.Replicas.All(r => r.Mode == "RW")
            && v.Replicas.Any(r => r.Id == replica), TimeSpan.FromSeconds(90), $"healthy again with {replica} read-write");

    /// <summary>The replica caught up (no rebuild), copying at most twice what was written while it was away, rounded up to regions.</summary>
    private async Task<long> AssertCaughtUpAsync(NodeProcess engine, string name, string replica, AwayWrites away)
    {
        var events = await engine.Api.ListEventsAsync(name);
        Out.WriteLine(string.Join("\n", events.Select(e => $"{e.Kind} {e.Replica}: {e.Detail}")));
        Assert.DoesNotContain(events, e => e.Kind == "rebuild-started");
        var caught = events.First(e => e.Kind == "caught-up");
        Assert.Equal(replica, caught.Replica);
        Assert.Contains(events, e => e.Kind == "catch-up-started" && e.Replica == replica);
        var copied = long.Parse(caught.Detail.Split(' ')[0]);
        var bound = 2 * away.Regions * Region;
        Out.WriteLine($"measured: {copied} bytes copied for {away.Bytes} bytes written while away in {away.Regions} regions of 1 MiB "
            + $"({(double)copied / (away.Regions * Region):0.00}x the regions; the bound is 2x)");
        Assert.True(copied <= bound, $"{copied} bytes copied, more than twice the {away.Regions} regions written while away");
        return copied;
    }

    private static async Task StopAndCompareAsync(LocalCluster cluster, NodeProcess engine, string name, VolumeInfo healed)
    {
        await LocalCluster.SettledAsync(engine, name);
        await engine.Api.DetachAsync(name);
        foreach (var node in cluster.Nodes) Assert.Equal(0, await node.StopAsync());
        ReplicaComparison.AssertSameLayers(healed.Replicas.Select(r => r.Id).ToArray(), cluster.Nodes.Select(n => n.DataDir).ToArray());
    }

    /// <summary>Writes through NBD, counting their bytes and the absent log's regions they touch; the last write of each place is verifiable.</summary>
    private sealed class AwayWrites(string endpoint)
    {
        /// <summary>The same account, writing through another endpoint from now on (an engine started again).</summary>
        public AwayWrites Through(string other)
        {
            var moved = new AwayWrites(other) { Bytes = Bytes };
            moved._regions.UnionWith(_regions);
            foreach (var (offset, last) in _last) moved._last[offset] = last;
            return moved;
        }

        private readonly HashSet<long> _regions = [];
        private readonly Dictionary<long, (long Length, int Seed)> _last = [];

        public long Bytes { get; private set; }

        public int Regions => _regions.Count;

        public IEnumerable<(long Offset, long Length, int Seed)> Verifiable => _last.Select(l => (l.Key, l.Value.Length, l.Value.Seed));

        public async Task WriteAsync(long offset, long length, int seed)
        {
            await NbdData.WriteAndFlushAsync(endpoint, offset, length, seed);
            Bytes += length;
            for (var r = offset / Region; r <= (offset + length - 1) / Region; r++) _regions.Add(r);
            _last[offset] = (length, seed);
        }

        /// <summary>1 MiB writes over <paramref name="slots"/> MiB from <paramref name="offset"/>, one after another, until cancelled.</summary>
        public async Task KeepWritingAsync(long offset, int slots, CancellationToken stop)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
                await WriteAsync(offset + i % slots * MiB, MiB, seed: 100 + i);
        }
    }
}
