using ActorStore.EndToEnd.Tests.Harness;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.EndToEnd.Tests.Harness.TestData;

namespace ActorStore.EndToEnd.Tests.Cluster;

/// <summary>
/// The cluster as it runs spread over hosts (DESIGN §6): three nodes on one real PostgreSQL journal. A volume
/// attached on one node through another's gateway survives the SIGKILL of its engine's node and serves every
/// flushed write from a third.
/// </summary>
public sealed class PostgresClusterTests(ITestOutputHelper output) : NodeTest(output)
{
    [Fact]
    public async Task Three_nodes_on_one_postgres_journal_survive_the_loss_of_the_engines_node()
    {
        var postgres = Own(await PostgresServer.StartAsync());
        var cluster = Own(await LocalCluster.StartAsync(3, postgres.ConnectionString));
        foreach (var node in cluster.Nodes) Watch(node);
        var (n1, n2, n3) = (cluster["node-1"], cluster["node-2"], cluster["node-3"]);
        var name = VolumeName("pg3");
        var created = await n3.Api.CreateVolumeAsync(name, 32 * MiB, 3);
        Assert.Equal(3, created.Replicas.Select(r => r.Node).Distinct().Count());
        var on2 = await n3.Api.AttachToAsync(name, "node-2");
        await NbdData.WriteAndFlushAsync(on2.Endpoint!, 0, 8 * MiB, seed: 31);
        await n1.Api.SnapshotAsync(name, "before-loss");

        n2.Kill();
        var lost = await LocalCluster.WaitForAsync(n3, name, v => v.State == "detached", TimeSpan.FromSeconds(90), "detached after node-2's loss");
        Assert.Equal("node-lost", lost.DetachReason);
        var on1 = await n3.Api.AttachToAsync(name, "node-1");
        await NbdData.VerifyAsync(on1.Endpoint!, 0, 8 * MiB, seed: 31);
        Assert.Contains((await n1.Api.ListSnapshotsAsync(name)), s => s.Name == "before-loss");
        var detached = await n1.Api.DetachAsync(name);
        Assert.Equal("degraded", detached.Robustness);
    }
}
