using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.EndToEnd.Tests.Harness.TestData;

namespace ActorStore.EndToEnd.Tests.Cluster;

/// <summary>
/// Three real node processes on one journal (DESIGN §2, §6): a volume with one replica per node is attached
/// on any node through any node's gateway, its engine runs on the attach node, and the loss of a replica's
/// node or of the engine's node is survived with every flushed write intact.
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output) : NodeTest(output)
{
    private async Task<LocalCluster> StartClusterAsync()
    {
        var cluster = Own(await LocalCluster.StartAsync(3));
        foreach (var node in cluster.Nodes) Watch(node);
        return cluster;
    }

    [Fact]
    public async Task A_volume_is_attached_in_turn_on_each_node_through_another_nodes_gateway_and_keeps_its_data()
    {
        var cluster = await StartClusterAsync();
        var (n1, n2, n3) = (cluster["node-1"], cluster["node-2"], cluster["node-3"]);
        var name = VolumeName("anywhere");
        var created = await n1.Api.CreateVolumeAsync(name, 32 * MiB, 3);
        Assert.Equal(3, created.Replicas.Select(r => r.Node).Distinct().Count());

        var on2 = await n1.Api.AttachToAsync(name, "node-2");
        Assert.Equal(("attached", "node-2"), (on2.State, on2.AttachedTo));
        Assert.Equal(n2.NbdUri(name), on2.Endpoint);
        await NbdData.WriteAndFlushAsync(on2.Endpoint!, 0, 4 * MiB, seed: 1);

        // Attached elsewhere: a clear 409 naming the node, from any gateway.
        var conflict = await n3.Api.SendJsonAsync(HttpMethod.Post, $"/volumes/{name}/attach", new AttachVolume("node-3"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Contains("node-2", conflict.Problem?.Detail ?? conflict.Body);
        Assert.Equal(n2.NbdUri(name), (await n3.Api.GetVolumeAsync(name)).Endpoint);

        await n3.Api.DetachAsync(name);
        var on3 = await n2.Api.AttachToAsync(name, "node-3");
        Assert.Equal(n3.NbdUri(name), on3.Endpoint);
        await NbdData.VerifyAsync(on3.Endpoint!, 0, 4 * MiB, seed: 1);
        await NbdData.WriteAndFlushAsync(on3.Endpoint!, 8 * MiB, 4 * MiB, seed: 2);

        await n1.Api.DetachAsync(name);
        var on1 = await n3.Api.AttachToAsync(name, "node-1");
        Assert.Equal(n1.NbdUri(name), on1.Endpoint);
        await NbdData.VerifyAsync(on1.Endpoint!, 0, 4 * MiB, seed: 1);
        await NbdData.VerifyAsync(on1.Endpoint!, 8 * MiB, 4 * MiB, seed: 2);
        var detached = await n2.Api.DetachAsync(name);
        Assert.Equal("detached", detached.State);
        Assert.Equal("healthy", detached.Robustness);
    }

    /// <summary>
    /// The replica node killed is also where the volume's controller lives (the hard case): the failure the
    /// engine finds waits for the controller to come back on another node, and no request fails meanwhile.
    /// </summary>
    [Fact]
    public async Task Fio_verifies_without_an_error_while_a_replica_node_is_killed_and_the_volume_turns_degraded()
    {
        var cluster = await StartClusterAsync();
        var name = VolumeName("fio3");
        var created = await cluster["node-1"].Api.CreateVolumeAsync(name, 128 * MiB, 3);
        var victim = cluster[created.Controller!];
        var engineNode = cluster.Nodes.First(n => n != victim);
        var gateway = cluster.Nodes.First(n => n != victim && n != engineNode);
        var attached = await gateway.Api.AttachToAsync(name, engineNode.Ready.NodeId);
        await using (var fio = FioVerify.Start(attached.Endpoint!, seconds: 20))
        {
            // fio reports nothing until it ends (JSON output): give it time to write and verify before the kill.
            await Task.Delay(TimeSpan.FromSeconds(3));
            victim.Kill();
            await fio.AssertCleanAsync();
        }
        var view = await LocalCluster.WaitForAsync(gateway, name, v => v.Robustness == "degraded", TimeSpan.FromSeconds(30), "degraded");
        Assert.Equal(("attached", engineNode.Ready.NodeId), (view.State, view.AttachedTo));
        Assert.Equal("ERR", view.Replicas.Single(r => r.Node == victim.Ready.NodeId).Mode);
        Assert.NotEqual(victim.Ready.NodeId, view.Controller);
    }

    [Fact]
    public async Task The_engines_node_killed_releases_the_volume_which_serves_every_flushed_write_from_another_node()
    {
        var cluster = await StartClusterAsync();
        var (n1, n2, n3) = (cluster["node-1"], cluster["node-2"], cluster["node-3"]);
        var name = VolumeName("lost");
        await n1.Api.CreateVolumeAsync(name, 32 * MiB, 3);
        var on2 = await n1.Api.AttachToAsync(name, "node-2");
        await NbdData.WriteAndFlushAsync(on2.Endpoint!, 0, 8 * MiB, seed: 7);
        await using (var writer = NbdData.StartEndlessWriter(on2.Endpoint!, 16 * MiB, 8 * MiB))
        {
            await Eventually.WaitUntilAsync(() => writer.StdOut.Contains("writing") || writer.HasExited,
                TimeSpan.FromSeconds(30), "the writer to have written (I/O in flight when the node dies)");
            Assert.False(writer.HasExited, $"the writer stopped before the kill:\n{writer.StdErr}");
            var clock = Stopwatch.StartNew();
            n2.Kill();
            var lost = await LocalCluster.WaitForAsync(n1, name, v => v.State == "detached", TimeSpan.FromSeconds(90), "detached after node-2's loss");
            Out.WriteLine($"measured: {clock.Elapsed.TotalSeconds:0.0} s from SIGKILL of the engine's node to attachable");
            Assert.Equal("node-lost", lost.DetachReason);
            Assert.Equal("ERR", lost.Replicas.Single(r => r.Node == "node-2").Mode);
        }

        var on3 = await n3.Api.AttachToAsync(name, "node-3");
        Assert.Equal(n3.NbdUri(name), on3.Endpoint);
        await NbdData.VerifyAsync(on3.Endpoint!, 0, 8 * MiB, seed: 7);
        await n1.Api.DetachAsync(name);

        // Every remaining replica reads back the same (DESIGN §3 reconciliation), compared from their files.
        var replicas = on3.Replicas.Where(r => r.Node != "node-2").ToArray();
        Assert.Equal(0, await n1.StopAsync());
        Assert.Equal(0, await n3.StopAsync());
        ReplicaComparison.AssertIdentical(replicas.Select(r => r.Id).ToArray(), n1.DataDir, n3.DataDir);
    }

    /// <summary>
    /// DESIGN §2 fencing: the engine's node frozen (SIGSTOP) until the cluster downs it; the volume is attached
    /// elsewhere and written; then the old node runs again with an NBD client still connected that writes at
    /// once: not one byte of it lands on any replica, and the client gets an error.
    /// </summary>
    [Fact]
    public async Task A_frozen_engine_node_that_comes_back_after_the_volume_moved_cannot_write_a_byte()
    {
        var cluster = await StartClusterAsync();
        var (n1, n2, n3) = (cluster["node-1"], cluster["node-2"], cluster["node-3"]);
        var name = VolumeName("frozen");
        await n1.Api.CreateVolumeAsync(name, 32 * MiB, 3);
        var on2 = await n1.Api.AttachToAsync(name, "node-2");
        await NbdData.WriteAndFlushAsync(on2.Endpoint!, 0, 8 * MiB, seed: 21);

        // A client of the old engine, connected before the freeze, that writes 0xee blocks when told to.
        await using var old = Tool.Start("nbdsh", ["-u", on2.Endpoint!, "-c", """
            import sys
            print("connected"); sys.stdout.flush()
            sys.stdin.readline()
            try:
                for off in range(0, 8 << 20, 1 << 20):
                    h.pwrite(b"\xee" * (1 << 20), off)
                h.flush()
                print("wrote")
            except Exception as e:
                print("error: %s" % e)
            sys.stdout.flush()
            """], Tool.DebianPythonFirst, redirectStdin: true);
        await Eventually.WaitUntilAsync(() => old.StdOut.Contains("connected") || old.HasExited, TimeSpan.FromSeconds(30), "the old engine's client to connect");

        n2.Freeze();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var lost = await LocalCluster.WaitForAsync(n1, name, v => v.State == "detached", TimeSpan.FromSeconds(90), "detached after node-2 was downed");
            Out.WriteLine($"measured: {clock.Elapsed.TotalSeconds:0.0} s from SIGSTOP of the engine's node to attachable");
            Assert.Equal("node-lost", lost.DetachReason);
            var on3 = await n1.Api.AttachToAsync(name, "node-3");
            await NbdData.WriteAndFlushAsync(on3.Endpoint!, 0, 8 * MiB, seed: 22);
        }
        finally
        {
            n2.Continue();
        }
        await old.Process.StandardInput.WriteLineAsync("go");
        await old.Process.StandardInput.FlushAsync();
        var result = await old.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("error", result.StdOut + result.StdErr);
        Assert.DoesNotContain("wrote", result.StdOut);

        var now = await n1.Api.GetVolumeAsync(name);
        await NbdData.VerifyAsync(now.Endpoint!, 0, 8 * MiB, seed: 22);
        await n1.Api.DetachAsync(name);
        var replicas = now.Replicas.Select(r => r.Id).ToArray();
        Assert.Equal(0, await n1.StopAsync());
        Assert.Equal(0, await n3.StopAsync());
        n2.Kill();
        ReplicaComparison.AssertNoBlockFilledWith(0xee, replicas, n1.DataDir, n2.DataDir, n3.DataDir);
        ReplicaComparison.AssertIdentical(now.Replicas.Where(r => r.Node != "node-2").Select(r => r.Id).ToArray(), n1.DataDir, n3.DataDir);
    }

    [Fact]
    public async Task The_founding_node_restarted_rejoins_the_running_cluster_and_a_whole_cluster_restart_forms_one_again()
    {
        var cluster = await StartClusterAsync();
        var (n1, n2, n3) = (cluster["node-1"], cluster["node-2"], cluster["node-3"]);
        var name = VolumeName("rejoin");
        var attached = await n2.Api.CreateAttachedAsync(name, 32 * MiB, 3);
        await NbdData.WriteAndFlushAsync(attached.Endpoint!, 0, 4 * MiB, seed: 1);
        var clusterId = (await n2.Api.ShowClusterAsync()).ClusterId;

        // node-1 started without seeds (it founded the cluster); killed and started again, it joins the others.
        n1.Kill();
        await n1.StartAgainAsync();
        Assert.Contains(n1.Output.Since(0), l => l.Contains("Joining the cluster through", StringComparison.Ordinal));
        await AllUpAsync(clusterId, n1, n2, n3);
        Assert.Equal(("attached", "node-2"), ((await n1.Api.GetVolumeAsync(name)).State, (await n1.Api.GetVolumeAsync(name)).AttachedTo));
        await NbdData.WriteAndFlushAsync(attached.Endpoint!, 4 * MiB, 4 * MiB, seed: 2);
        await n2.Api.DetachAsync(name);

        // All stopped, then started in turn from node-1: it waits for the others, finds none, and founds the cluster again.
        foreach (var node in new[] { n3, n2, n1 }) Assert.Equal(0, await node.StopAsync());
        foreach (var node in new[] { n1, n2, n3 }) await node.StartAgainAsync();
        await AllUpAsync(clusterId, n1, n2, n3);
        // The volume may be healing offline now (node-1's replica catching up after its kill): the attach ends that first, which
        // can outlast one request's answer time; an operator retries as the 504 says, and so does the test.
        VolumeInfo? again = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                again = await n3.Api.AttachToAsync(name, "node-3");
                return true;
            }
            catch (ApiException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), $"{name} attached to node-3");
        await NbdData.VerifyAsync(again!.Endpoint!, 0, 4 * MiB, seed: 1);
        await NbdData.VerifyAsync(again.Endpoint!, 4 * MiB, 4 * MiB, seed: 2);
        await n3.Api.DetachAsync(name);
    }

    /// <summary>Every node sees the same cluster: the three of them up, and one cluster id.</summary>
    private static Task AllUpAsync(string clusterId, params NodeProcess[] nodes) =>
        Eventually.WaitUntilAsync(async () =>
        {
            foreach (var node in nodes)
            {
                var seen = await node.Api.ShowClusterAsync();
                if (seen.ClusterId != clusterId || seen.Members.Count != nodes.Length || seen.Members.Any(m => m.Status != "up")) return false;
            }
            return true;
        }, TimeSpan.FromSeconds(60), "every node up in one cluster");
}
