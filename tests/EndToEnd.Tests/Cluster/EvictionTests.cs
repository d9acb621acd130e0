using System.Net;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Harness;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.EndToEnd.Tests.Harness.TestData;

namespace ActorStore.EndToEnd.Tests.Cluster;

/// <summary>
/// Eviction with real node processes (DESIGN §5): a node holding replicas may not leave the cluster; evicted, it takes
/// no new replicas and each of its replicas is rebuilt elsewhere and then removed, the attached volume healthy under
/// fio --verify throughout, a detached volume's replica moving once the volume is attached.
/// </summary>
public sealed class EvictionTests(ITestOutputHelper output) : NodeTest(output)
{
    [Fact]
    public async Task An_evicted_node_loses_its_replicas_to_other_nodes_while_fio_verifies_and_may_leave_only_then()
    {
        var cluster = Own(await LocalCluster.StartAsync(4, config: "actorstore.volume.rebuild-bandwidth = 64MiB\n"));
        foreach (var node in cluster.Nodes) Watch(node);
        var gateway = cluster["node-1"];
        var name = VolumeName("evict");
        var idle = VolumeName("evictidle");
        var created = await gateway.Api.CreateVolumeAsync(name, 128 * MiB, 3);
        var holders = created.Replicas.Select(r => r.Node).ToArray();
        var engine = cluster[holders[0]];
        var victim = cluster[holders[1]];
        // A detached 1-replica volume on the node to evict: the other nodes take no replicas while it is created.
        var others = cluster.Nodes.Where(n => n != victim).Select(n => n.Ready.NodeId).ToArray();
        foreach (var other in others) await gateway.Api.SendJsonAsync(HttpMethod.Post, $"/nodes/{other}/schedule", new SetSchedulable(false));
        Assert.Equal(victim.Ready.NodeId, (await gateway.Api.CreateVolumeAsync(idle, 32 * MiB, 1)).Replicas.Single().Node);
        foreach (var other in others) await gateway.Api.SendJsonAsync(HttpMethod.Post, $"/nodes/{other}/schedule", new SetSchedulable(true));
        var idleAttached = await gateway.Api.AttachToAsync(idle, engine.Ready.NodeId);
        await NbdData.WriteAndFlushAsync(idleAttached.Endpoint!, 0, 8 * MiB, seed: 4);
        await gateway.Api.DetachAsync(idle);
        var attached = await engine.Api.AttachToAsync(name, engine.Ready.NodeId);
        await NbdData.WriteAndFlushAsync(attached.Endpoint!, 64 * MiB, 32 * MiB, seed: 3);
        await engine.Api.SnapshotAsync(name, "before");

        var leave = await gateway.Api.SendAsync(HttpMethod.Post, $"/cluster/members/{victim.Ready.NodeId}/leave");
        Assert.Equal(HttpStatusCode.Conflict, leave.Status);
        Assert.Contains("evict", leave.Problem?.Detail ?? leave.Body);

        await using (var fio = FioVerify.Start(attached.Endpoint!, seconds: 20))
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var eviction = await gateway.Api.EvictNodeAsync(victim.Ready.NodeId);
            Assert.Contains(name, eviction.Moving);
            Assert.Equal([idle], eviction.Offline);
            var moved = await LocalCluster.WaitForAsync(gateway, name, v => v.Replicas.Count == 3 && v.Replicas.All(r => r.Mode == "RW" && r.Node != victim.Ready.NodeId),
                TimeSpan.FromSeconds(90), "its replicas off the evicted node");
            Assert.Equal("healthy", moved.Robustness);
            await fio.AssertCleanAsync();
        }
        Assert.False((await gateway.Api.ListNodesAsync()).Single(n => n.Id == victim.Ready.NodeId).Schedulable);
        Assert.Empty(Directory.GetDirectories(victim.DataDir, created.Replicas[1].Id, SearchOption.AllDirectories));
        await NbdData.VerifyAsync(attached.Endpoint!, 64 * MiB, 32 * MiB, seed: 3);
        var events = await gateway.Api.ListEventsAsync(name);
        Assert.Contains(events, e => e.Kind == "replica-removed" && e.Node == victim.Ready.NodeId);

        // The detached volume's replica moved too, by an offline rebuild: detached all along, its data intact.
        var offline = await LocalCluster.WaitForAsync(gateway, idle, v => v.Replicas.Count == 1 && v.Replicas[0].Node != victim.Ready.NodeId && v.Replicas[0].Mode == "RW"
            && v.State == "detached", TimeSpan.FromSeconds(60), "its replica off the evicted node, offline");
        Assert.Null(offline.AttachedTo);
        Assert.Contains(await gateway.Api.ListEventsAsync(idle), e => e.Kind == "rebuilt");
        Assert.Empty(Directory.GetDirectories(Path.Combine(victim.DataDir, "disks"), "*-r*", SearchOption.AllDirectories));
        idleAttached = await gateway.Api.AttachToAsync(idle, engine.Ready.NodeId);
        await NbdData.VerifyAsync(idleAttached.Endpoint!, 0, 8 * MiB, seed: 4);
        await gateway.Api.DetachAsync(idle);
        var allowed = await gateway.Api.SendAsync(HttpMethod.Post, $"/cluster/members/{victim.Ready.NodeId}/leave");
        Assert.Equal(HttpStatusCode.Accepted, allowed.Status);
    }
}
