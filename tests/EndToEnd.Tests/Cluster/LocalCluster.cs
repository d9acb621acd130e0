using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;

namespace ActorStore.EndToEnd.Tests.Cluster;

/// <summary>
/// Several real node processes on 127.0.0.1 forming one cluster: each with its own data directory and ports,
/// all on one journal (a shared SQLite file, or the PostgreSQL given), node-1 the seed. Failure detection and
/// downing are shortened (a node that stops answering is downed after about 6 s instead of 25 s) so tests
/// of node loss run in seconds. Disposing kills every node it started, by PID.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<NodeProcess> _nodes = [];
    private readonly string _dir;

    private LocalCluster(string dir) => _dir = dir;

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    public NodeProcess this[string nodeId] => _nodes.Single(n => n.Ready.NodeId == nodeId);

    /// <param name="config">HOCON lines every node gets on top of the shortened failure detection.</param>
    public static async Task<LocalCluster> StartAsync(int count, string? postgres = null, string config = "")
    {
        var cluster = new LocalCluster(RepoPaths.NewTempDirectory("cluster"));
        try
        {
            var file = Path.Combine(cluster._dir, "cluster.conf");
            File.WriteAllText(file, """
                akka.cluster.split-brain-resolver.stable-after = 3s
                akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
                actorstore.volume.node-lost-grace = 10s

                """ + config);
            var journal = Path.Combine(cluster._dir, "journal.db");
            for (var i = 1; i <= count; i++)
            {
                var options = new NodeOptions
                {
                    NodeId = $"node-{i}",
                    Journal = postgres is null ? "sqlite" : "postgres",
                    JournalConnection = postgres ?? $"Data Source={journal}",
                    Seeds = i == 1 ? [] : [cluster._nodes[0].Ready.Remote],
                    ExtraArgs = ["--config", file],
                };
                cluster._nodes.Add(await NodeProcess.StartAsync(options));
            }
            await Eventually.WaitUntilAsync(async () => (await cluster._nodes[0].Api.ListNodesAsync()).Count(n => n.Status == "up") == count,
                TimeSpan.FromSeconds(60), $"{count} nodes up");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits until the volume has retired its rebuild snapshots (each finished rebuild deletes its own, marking it removed)
    /// and runs nothing: its replicas' layers are settled, to be compared once the nodes stop.
    /// </summary>
    public static async Task SettledAsync(NodeProcess gateway, string volume)
    {
        await Eventually.WaitUntilAsync(async () =>
            (await gateway.Api.ListSnapshotsAsync(volume)).All(s => s.UserCreated || s.Removed) && (await gateway.Api.GetVolumeAsync(volume)).Activity is null,
            TimeSpan.FromSeconds(60), $"volume {volume} settled (rebuild snapshots retired, nothing running)");
    }

    /// <summary>Polls a volume through <paramref name="gateway"/> until <paramref name="condition"/> holds; returns that view.</summary>
    public static async Task<VolumeInfo> WaitForAsync(NodeProcess gateway, string volume, Func<VolumeInfo, bool> condition, TimeSpan timeout, string what)
    {
        VolumeInfo? last = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                last = await gateway.Api.GetVolumeAsync(volume);
            }
            catch (ApiException)
            {
                return false;
            }
            return condition(last);
        }, timeout, $"{volume}: {what} (last seen: {last?.State} {last?.DetachReason} {last?.Robustness} on {last?.AttachedTo})");
        return last!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner: a node killed mid-write may still have had it open.
        }
    }
}
