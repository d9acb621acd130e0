using ActorStore.EndToEnd.Tests.Harness;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.EndToEnd.Tests.Harness.TestData;

namespace ActorStore.EndToEnd.Tests.Cluster;

/// <summary>
/// A node back after a long absence (DESIGN §5, rejoin): its replica of a volume that was rebuilt elsewhere meanwhile is
/// stale and removed after the grace period, with an event; its replica of a volume deleted meanwhile is an orphan,
/// listed, kept, and deleted only when asked.
/// </summary>
public sealed class StaleReplicaTests(ITestOutputHelper output) : NodeTest(output)
{
    private const string Config = """
        actorstore.volume.replica-replenishment-wait = 2s
        actorstore.volume.stale-replica-grace = 3s
        actorstore.volume.replica-audit-every = 1s
        """;

    [Fact]
    public async Task A_returning_node_removes_its_stale_replica_after_the_grace_and_keeps_its_orphan_until_asked()
    {
        var cluster = Own(await LocalCluster.StartAsync(4, config: Config));
        foreach (var node in cluster.Nodes) Watch(node);
        var gateway = cluster["node-1"];
        var replaced = await gateway.Api.CreateVolumeAsync(VolumeName("replaced"), 64 * MiB, 3);
        var deleted = await gateway.Api.CreateVolumeAsync(VolumeName("deleted"), 64 * MiB, 3);
        var shared = replaced.Replicas.Select(r => r.Node).Intersect(deleted.Replicas.Select(r => r.Node)).ToArray();
        var victim = cluster[shared.FirstOrDefault(n => n != replaced.Controller && n != deleted.Controller && n != "node-1") ?? shared.First(n => n != "node-1")];
        var engine = cluster[replaced.Replicas.Select(r => r.Node).First(n => n != victim.Ready.NodeId)];
        var staleId = replaced.Replicas.Single(r => r.Node == victim.Ready.NodeId).Id;
        var orphanId = deleted.Replicas.Single(r => r.Node == victim.Ready.NodeId).Id;
        var attached = await engine.Api.AttachToAsync(replaced.Name, engine.Ready.NodeId);
        await NbdData.WriteAndFlushAsync(attached.Endpoint!, 0, 16 * MiB, seed: 1);

        victim.Kill();
        await LocalCluster.WaitForAsync(engine, replaced.Name, v => v.Robustness == "healthy" && v.Replicas.Count == 3 && v.Replicas.All(r => r.Id != staleId),
            TimeSpan.FromSeconds(90), "rebuilt without the victim's replica");
        await gateway.Api.DeleteVolumeAsync(deleted.Name);
        await victim.StartAgainAsync();

        // The stale replica goes after the grace period, and its volume says so.
        var staleDir = Path.Combine(victim.DataDir, "disks");
        await Eventually.WaitUntilAsync(() => Task.FromResult(!Directory.GetDirectories(staleDir, staleId, SearchOption.AllDirectories).Any()),
            TimeSpan.FromSeconds(60), $"stale replica {staleId} removed from {victim.Ready.NodeId}");
        await Eventually.WaitUntilAsync(async () => (await engine.Api.ListEventsAsync(replaced.Name)).Any(e => e.Kind == "stale-replica-removed" && e.Replica == staleId),
            TimeSpan.FromSeconds(30), "the stale-replica-removed event");
        var events = await victim.Api.ListEventsAsync(replaced.Name);
        Out.WriteLine(string.Join("\n", events.Select(e => $"{e.Kind} {e.Replica} {e.Node}: {e.Detail}")));
        Assert.Equal(victim.Ready.NodeId, events.First(e => e.Kind == "stale-replica-removed").Node);

        // The orphan is listed, outlives several checks, and goes only on request.
        var orphans = await victim.Api.ListOrphansAsync(victim.Ready.NodeId);
        var orphan = Assert.Single(orphans);
        Assert.Equal(orphanId, orphan.Replica);
        Assert.Equal(deleted.Id, orphan.VolumeId);
        Out.WriteLine($"orphan: {orphan.Replica} on {orphan.Disk}: {orphan.Why}");
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Single(Directory.GetDirectories(staleDir, orphanId, SearchOption.AllDirectories));
        var inUse = (await gateway.Api.GetVolumeAsync(replaced.Name)).Replicas.First();
        var refused = await Assert.ThrowsAsync<ApiException>(() => gateway.Api.DeleteOrphanAsync(inUse.Node, inUse.Id));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, refused.Response.Status);
        await gateway.Api.DeleteOrphanAsync(victim.Ready.NodeId, orphanId);
        Assert.Empty(Directory.GetDirectories(staleDir, orphanId, SearchOption.AllDirectories));
        Assert.Empty(await victim.Api.ListOrphansAsync(victim.Ready.NodeId));
        await NbdData.VerifyAsync(attached.Endpoint!, 0, 16 * MiB, seed: 1);
    }
}
