using ActorStore.Cluster.Hosting;
using ActorStore.Cluster.Nodes;
using ActorStore.Tests.Shared;
using ActorStore.Volume;
using ActorStore.Volume.Protocol;
using ActorStore.Volume.Replicas;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Cluster.Tests.Nodes;

/// <summary>
/// A node rebuilds at most actorstore.volume.concurrent-rebuilds-per-node replicas at once: one more rebuilding replica is
/// refused (Busy, nothing made) until one of them ends; a repeated create of a replica already there is not counted again.
/// </summary>
public sealed class RebuildLimitTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(InMemoryPersistence.Config, output), IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task A_rebuild_over_the_limit_is_refused_as_busy_until_one_ends()
    {
        var (config, error) = CommandLine.Parse(["--node-id", "n1", "--data-dir", _temp.Path]);
        Assert.True(config is not null, error);
        var node = NodeSettings.Create(config!);
        var locals = new LocalReplicas();
        await using var data = new NodeDataServer(locals, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), DataSecret.Create());
        await data.StartAsync();
        var host = Sys.ActorOf(ReplicaHost.Props(node, VolumeSettings.Default with { ConcurrentRebuildsPerNode = 2 }, locals, data), NodeDirectory.ReplicaHostName);
        Sys.ActorOf(NodeAgent.Supervised(node, host, snapshotEvery: 100), NodeDirectory.AgentName);

        Task<ReplicaProtocol.Done> Create(string id, bool rebuilding) => host.Ask<ReplicaProtocol.Done>(
            new ReplicaProtocol.CreateReplica("n1", id, Guid.NewGuid(), "vol", Guid.NewGuid(), "disk-1", 4 << 20, 1, rebuilding), RemainingOrDefault);

        Assert.Equal(ReplicaOutcome.Ok, (await Create("r1", true)).Status);
        Assert.Equal(ReplicaOutcome.Ok, (await Create("r2", true)).Status);
        Assert.Equal(ReplicaOutcome.Ok, (await Create("plain", false)).Status); // not a rebuild: not limited
        var busy = await Create("r3", true);
        Assert.Equal(ReplicaOutcome.Busy, busy.Status);
        Assert.Contains("concurrent-rebuilds-per-node", busy.Detail);
        Assert.False(locals.TryGet("r3", out _));

        var ended = await host.Ask<ReplicaProtocol.Done>(new ReplicaProtocol.EndRebuild("n1", "r1", Guid.NewGuid()), RemainingOrDefault);
        Assert.Equal(ReplicaOutcome.Ok, ended.Status);
        Assert.Equal(ReplicaOutcome.Ok, (await Create("r3", true)).Status);
    }

    public new void Dispose()
    {
        base.Dispose();
        _temp.Dispose();
    }
}
