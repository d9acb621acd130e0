using System.Diagnostics;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Harness;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.EndToEnd.Tests.Harness.TestData;

namespace ActorStore.EndToEnd.Tests.Cluster;

/// <summary>
/// Self-healing with real node processes (DESIGN §5): four nodes, a 3-replica volume attached and written through
/// NBD; a replica's node dies and, once the replenishment wait (3 s here) has passed, a replacement is rebuilt
/// on the fourth node layer by layer while fio verifies every block, and the volume is healthy again with
/// every replica's snapshots and head identical, checked from their files.
/// </summary>
public sealed class RebuildTests(ITestOutputHelper output) : NodeTest(output)
{
    // Slow enough that the progress is seen, fast enough that the test takes seconds.
    private const string Config = """
        actorstore.volume.replica-replenishment-wait = 3s
        actorstore.volume.rebuild-bandwidth = 40MiB
        """;

    [Fact]
    public async Task A_killed_replica_node_is_replaced_by_a_rebuild_on_the_fourth_node_while_fio_verifies()
    {
        var cluster = Own(await LocalCluster.StartAsync(4, config: Config));
        foreach (var node in cluster.Nodes) Watch(node);
        var name = VolumeName("rebuild");
        var created = await cluster["node-1"].Api.CreateVolumeAsync(name, 256 * MiB, 3);
        var holders = created.Replicas.Select(r => r.Node).ToArray();
        var engine = cluster[holders[0]];
        var victim = cluster[holders.Skip(1).First(n => n != created.Controller)];
        var spare = cluster.Nodes.Single(n => !holders.Contains(n.Ready.NodeId));
        var attached = await engine.Api.AttachToAsync(name, engine.Ready.NodeId);

        // Data in two snapshot layers, which the rebuild copies as layers (fio writes the first 64 MiB).
        await NbdData.WriteAndFlushAsync(attached.Endpoint!, 64 * MiB, 48 * MiB, seed: 1);
        await engine.Api.SnapshotAsync(name, "s1");
        await NbdData.WriteAndFlushAsync(attached.Endpoint!, 96 * MiB, 48 * MiB, seed: 2);
        await engine.Api.SnapshotAsync(name, "s2");

        RebuildInfo? progress = null;
        var clock = new Stopwatch();
        VolumeInfo healed;
        await using (var fio = FioVerify.Start(attached.Endpoint!, seconds: 25))
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            victim.Kill();
            clock.Start();
            healed = await LocalCluster.WaitForAsync(engine, name, v =>
            {
                if (v.Rebuild is { Total: > 0, Done: > 0 } r && r.Done < r.Total) progress ??= r;
                return v.Robustness == "healthy" && v.Replicas.Count == 3 && v.Replicas.All(x => x.Mode == "RW" && x.Node != victim.Ready.NodeId);
            }, TimeSpan.FromSeconds(90), "healthy again with three RW replicas, none on the killed node");
            Out.WriteLine($"measured: {clock.Elapsed.TotalSeconds:0.0} s from SIGKILL of a replica's node to healthy (3 s replenishment wait)");
            await fio.AssertCleanAsync();
        }

        Assert.NotNull(progress);
        var events = await engine.Api.ListEventsAsync(name);
        Assert.Equal(["replica-removed", "rebuilt", "rebuild-started", "replica-failed"], events.Take(4).Select(e => e.Kind));
        Assert.Empty(await engine.Api.ListRebuildsAsync());
        Out.WriteLine($"progress seen: {progress.Percent}% ({progress.Done} of {progress.Total} bytes) at {progress.BytesPerSecond:0} B/s from {progress.Source}");
        Assert.Contains(healed.Replicas, r => r.Node == spare.Ready.NodeId);
        Assert.DoesNotContain(healed.Replicas, r => r.Node == victim.Ready.NodeId);
        Assert.Null(healed.Rebuild);
        await NbdData.VerifyAsync(attached.Endpoint!, 64 * MiB, 32 * MiB, seed: 1);
        await NbdData.VerifyAsync(attached.Endpoint!, 96 * MiB, 48 * MiB, seed: 2);

        await LocalCluster.SettledAsync(engine, name);
        await engine.Api.DetachAsync(name);
        var alive = cluster.Nodes.Where(n => n != victim).ToArray();
        foreach (var node in alive) Assert.Equal(0, await node.StopAsync());
        ReplicaComparison.AssertSameLayers(healed.Replicas.Select(r => r.Id).ToArray(), alive.Select(n => n.DataDir).ToArray());
    }

    /// <summary>
    /// The engine on a node without a replica, so every source is another node: the rebuild's source is SIGKILLed in the
    /// middle of the copy, the copy goes on from the other healthy replica, and the bytes it moves in all stay well
    /// under what starting over would take: the layer in progress starts over, the layer finished before it stays.
    /// </summary>
    [Fact]
    public async Task The_rebuild_source_killed_mid_copy_is_left_for_the_other_replica_without_starting_over()
    {
        var cluster = Own(await LocalCluster.StartAsync(4, config: Config));
        foreach (var node in cluster.Nodes) Watch(node);
        var name = VolumeName("resource");
        var created = await cluster["node-1"].Api.CreateVolumeAsync(name, 256 * MiB, 3);
        var holders = created.Replicas.Select(r => r.Node).ToArray();
        var engine = cluster.Nodes.Single(n => !holders.Contains(n.Ready.NodeId));
        var attached = await engine.Api.AttachToAsync(name, engine.Ready.NodeId);
        // Two layers of 96 MiB: the source dies inside the second.
        for (var i = 0; i < 2; i++)
        {
            await NbdData.WriteAndFlushAsync(attached.Endpoint!, i * 96 * MiB, 96 * MiB, seed: 10 + i);
            await engine.Api.SnapshotAsync(name, $"s{i}");
        }
        var first = cluster[holders.First(n => n != created.Controller)];
        first.Kill();

        // The replacement can only go to the engine's node; once it copies, its source dies too.
        var copying = await LocalCluster.WaitForAsync(engine, name, v => v.Rebuild is { Source: not null } r && r.Percent is > 55 and < 85,
            TimeSpan.FromSeconds(90), "a rebuild copying its second layer");
        var progress = copying.Rebuild!;
        var source = cluster[copying.Replicas.Single(r => r.Id == progress.Source).Node];
        Out.WriteLine($"killing the source {progress.Source} on {source.Ready.NodeId} at {progress.Percent}% of {progress.Total} bytes");
        source.Kill();

        await LocalCluster.WaitForAsync(engine, name, v => v.Replicas.Any(r => r.Node == engine.Ready.NodeId && r.Mode == "RW"),
            TimeSpan.FromSeconds(120), "the replacement rebuilt from the other replica");
        var events = await engine.Api.ListEventsAsync(name);
        var done = events.First(e => e.Kind == "rebuilt");
        var copied = long.Parse(done.Detail.Split(' ')[0]);
        Out.WriteLine($"measured: {copied} bytes copied for {progress.Total} bytes of layers ({(double)copied / progress.Total:0.00}x) with the source lost at {progress.Done}; starting over would have copied {progress.Total + progress.Done}");
        Assert.True(copied > progress.Total, $"{copied} bytes copied for {progress.Total}: the layer in progress was not started over from the other replica");
        Assert.True(copied < progress.Total + progress.Done, $"{copied} bytes copied for {progress.Total}, lost at {progress.Done}: the copy started over from the first layer");
        Assert.Contains(events, e => e.Kind == "rebuild-started" && e.Node == engine.Ready.NodeId);
        for (var i = 0; i < 2; i++) await NbdData.VerifyAsync(attached.Endpoint!, i * 96 * MiB, 96 * MiB, seed: 10 + i);

        await LocalCluster.SettledAsync(engine, name);
        // The view that showed the replacement RW may still show the killed source RW: the engine finds it dead at its next
        // request to it. Two RW replicas, on the nodes alive, is what the volume must come to.
        var settled = await LocalCluster.WaitForAsync(engine, name, v => v.Replicas.Count(r => r.Mode == "RW") == 2,
            TimeSpan.FromSeconds(60), "the killed source no longer serving");
        await engine.Api.DetachAsync(name);
        var alive = cluster.Nodes.Where(n => n != first && n != source).ToArray();
        foreach (var node in alive) Assert.Equal(0, await node.StopAsync());
        var serving = settled.Replicas.Where(r => r.Mode == "RW").ToArray();
        Assert.Equal(alive.Select(n => n.Ready.NodeId).Order(), serving.Select(r => r.Node).Order());
        ReplicaComparison.AssertSameLayers(serving.Select(r => r.Id).ToArray(), alive.Select(n => n.DataDir).ToArray());
    }

    /// <summary>
    /// A replica's directory deleted by hand under a running volume: its files are gone though still open, so it is failed
    /// (its node checks every 2 s), replaced by a rebuild at once (it cannot be trusted: no wait), and the volume is healthy.
    /// </summary>
    [Fact]
    public async Task A_replica_directory_deleted_under_a_running_volume_is_failed_and_rebuilt()
    {
        var cluster = Own(await LocalCluster.StartAsync(4, config: Config.Replace("3s", "5m")));
        foreach (var node in cluster.Nodes) Watch(node);
        var name = VolumeName("deleted");
        var created = await cluster["node-1"].Api.CreateVolumeAsync(name, 128 * MiB, 3);
        var holders = created.Replicas.Select(r => r.Node).ToArray();
        var engine = cluster[holders[0]];
        var victim = created.Replicas[1];
        var attached = await engine.Api.AttachToAsync(name, engine.Ready.NodeId);
        await NbdData.WriteAndFlushAsync(attached.Endpoint!, 64 * MiB, 32 * MiB, seed: 1); // fio writes the first 64 MiB
        await engine.Api.SnapshotAsync(name, "s1");

        VolumeInfo healed;
        await using (var fio = FioVerify.Start(attached.Endpoint!, seconds: 15))
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var dir = Directory.GetDirectories(cluster[victim.Node].DataDir, victim.Id, SearchOption.AllDirectories).Single();
            Directory.Delete(dir, recursive: true);
            Out.WriteLine($"deleted {dir}");
            await LocalCluster.WaitForAsync(engine, name, v => v.Replicas.Any(r => r.Id == victim.Id && r.Mode == "ERR") || v.Replicas.All(r => r.Id != victim.Id),
                TimeSpan.FromSeconds(30), $"replica {victim.Id} failed");
            healed = await LocalCluster.WaitForAsync(engine, name, v => v.Robustness == "healthy" && v.Replicas.Count == 3 && v.Replicas.All(r => r.Mode == "RW" && r.Id != victim.Id),
                TimeSpan.FromSeconds(90), "healthy again without the deleted replica");
            await fio.AssertCleanAsync();
        }
        var events = await engine.Api.ListEventsAsync(name);
        Assert.Contains(events, e => e.Kind == "replica-failed" && e.Replica == victim.Id);
        Assert.Contains(events, e => e.Kind == "rebuilt");
        await NbdData.VerifyAsync(attached.Endpoint!, 64 * MiB, 32 * MiB, seed: 1);
        await LocalCluster.SettledAsync(engine, name);
        await engine.Api.DetachAsync(name);
        foreach (var node in cluster.Nodes) Assert.Equal(0, await node.StopAsync());
        ReplicaComparison.AssertSameLayers(healed.Replicas.Select(r => r.Id).ToArray(), cluster.Nodes.Select(n => n.DataDir).ToArray());
    }
}
