using ActorStore.Blocks;
using ActorStore.Cluster.Hosting;
using ActorStore.Cluster.Nodes;
using ActorStore.Cluster.Protocol;
using ActorStore.Tests.Shared;
using ActorStore.Volume;
using ActorStore.Volume.Protocol;
using ActorStore.Volume.Replicas;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Cluster.Tests.Nodes;

/// <summary>
/// Found by trying it: a bad disk path made the node agent throw; it restarted, reopened every replica, and
/// every attached volume went faulted. Replicas now live beside the agent, and nothing the agent does —
/// refusing a path, being killed, being stopped and brought back — touches a replica an engine is using.
/// </summary>
public sealed class NodeAgentSupervisionTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(InMemoryPersistence.Config, output), IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task A_refused_disk_a_killed_agent_and_a_stopped_agent_leave_the_open_replica_serving()
    {
        var (config, error) = CommandLine.Parse(["--node-id", "n1", "--data-dir", _temp.Path]);
        Assert.True(config is not null, error);
        var node = NodeSettings.Create(config!);
        var locals = new LocalReplicas();
        await using var data = new NodeDataServer(locals, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), DataSecret.Create());
        await data.StartAsync();
        var host = Sys.ActorOf(ReplicaHost.Props(node, VolumeSettings.Default, locals, data), NodeDirectory.ReplicaHostName);
        Sys.ActorOf(NodeAgent.Supervised(node, host, snapshotEvery: 100), NodeDirectory.AgentName);
        var agent = Sys.ActorSelection("/user/" + NodeDirectory.AgentName);

        var created = await host.Ask<ReplicaProtocol.Done>(
            new ReplicaProtocol.CreateReplica("n1", "r1", Guid.NewGuid(), "vol", Guid.NewGuid(), "disk-1", 4 << 20, 1), RemainingOrDefault);
        Assert.Equal(ReplicaOutcome.Ok, created.Status);
        Assert.True(locals.TryGet("r1", out var replica));
        var (status, channel) = LocalReplicaChannel.Open(replica, 1);
        Assert.Equal(ReplicaStatus.Ok, status);
        Assert.Equal(ReplicaStatus.Ok, await channel!.WriteAsync(0, new byte[4096]));

        var refused = await agent.Ask<NodeProtocol.NodeRefused>(new NodeProtocol.AddDisk("n1", "/proc", null, true), RemainingOrDefault);
        Assert.Equal(VolumeError.InvalidArgument, refused.Error);
        Assert.Contains("proc", refused.Detail);

        Sys.ActorSelection($"/user/{NodeDirectory.AgentName}/agent").Tell(Kill.Instance);
        await AwaitAssertAsync(async () => Assert.Equal(1, (await agent.Ask<NodeProtocol.NodeView>(new NodeProtocol.GetNode("n1"), TimeSpan.FromSeconds(1))).Disks.Sum(d => d.ReplicaCount)));
        Sys.ActorSelection($"/user/{NodeDirectory.AgentName}/agent").Tell(PoisonPill.Instance);
        await AwaitAssertAsync(async () => Assert.Equal(1, (await agent.Ask<NodeProtocol.NodeView>(new NodeProtocol.GetNode("n1"), TimeSpan.FromSeconds(1))).Disks.Sum(d => d.ReplicaCount)),
            TimeSpan.FromSeconds(20));

        Assert.True(locals.TryGet("r1", out var still));
        Assert.Same(replica, still);
        Assert.Equal(ReplicaStatus.Ok, await channel.WriteAsync(4096, new byte[4096]));
        Assert.Equal(ReplicaStatus.Ok, await channel.FlushAsync());
    }

    public new void Dispose()
    {
        base.Dispose();
        _temp.Dispose();
    }
}
