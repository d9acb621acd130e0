using System.Net;
using System.Text.RegularExpressions;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Durability;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Faults;

/// <summary>
/// Every replica failed while every file is intact — found by trying it: a node agent that crashed closed the
/// replicas under their engine, both went ERR, and detach, attach and a node restart all answered "no healthy
/// replica" for good. Here the engine's data connections are cut (ss -K), which fails both replicas the same
/// way. Salvage brings the volume back: by itself when its engine starts (a node restart, an attach), on
/// request otherwise, and never for a volume that still has a replica in sync.
/// </summary>
public sealed partial class SalvageTests(ITestOutputHelper output) : NodeTest(output)
{
    private const long MiB = TestData.MiB;

    [Fact]
    public async Task A_volume_whose_replicas_all_failed_serves_again_after_a_restart_and_after_detach_and_attach()
    {
        var (node, name, uri) = await AttachedWithDataAsync("salvage", seed: 81);
        var refused = await node.Api.SendAsync(HttpMethod.Post, $"/volumes/{name}/salvage");
        Assert.Equal(HttpStatusCode.Conflict, refused.Status); // healthy: nothing to salvage
        Assert.Contains("nothing to salvage", refused.Problem!.Detail);

        await FaultAsync(node, name, uri);
        await node.RestartAsync();
        await VolumeState.ReattachAsync(node.Api, name);
        await AssertSalvagedAsync(node, name);
        await NbdData.VerifyAsync(uri, 0, 4 * MiB, seed: 81);

        await FaultAsync(node, name, uri);
        await node.Api.DetachAsync(name);
        await node.Api.AttachAsync(name);
        await AssertSalvagedAsync(node, name);
        await NbdData.VerifyAsync(uri, 0, 4 * MiB, seed: 81);
        await QemuIo.RunAsync(uri, "write -P 0x3c 8M 1M", "flush", "read -P 0x3c 8M 1M");
    }

    [Fact]
    public async Task A_detached_faulted_volume_is_salvaged_on_request_and_the_answer_says_what_was_chosen()
    {
        var (node, name, uri) = await AttachedWithDataAsync("salvage-cmd", seed: 82);
        await FaultAsync(node, name, uri);
        await node.Api.DetachAsync(name);

        var pbm = await Tool.RunAsync("dotnet", [RepoPaths.PbmDll, "--node", node.Ready.ApiHostPort, "volume", "salvage", name]);
        Assert.True(pbm.Succeeded, pbm.ToString());
        Assert.Contains("serves (", pbm.StdOut);
        Assert.Contains("highest revision", pbm.StdOut);
        Assert.Contains("reconciled from it:", pbm.StdOut);
        var volume = await node.Api.GetVolumeAsync(name);
        Assert.Equal((VolumeStates.Detached, VolumeStates.Healthy), (volume.State, volume.Robustness));
        await node.Api.AttachAsync(name);
        await NbdData.VerifyAsync(uri, 0, 4 * MiB, seed: 82);
    }

    /// <summary>A node reaching its replicas through their data endpoints, and a 2-replica volume with 4 MiB written and flushed.</summary>
    private async Task<(NodeProcess Node, string Name, string Uri)> AttachedWithDataAsync(string id, int seed)
    {
        var node = await StartNodeAsync(new NodeOptions { NodeId = id, ForceSocket = true });
        var name = TestData.VolumeName(id);
        await node.Api.CreateAttachedAsync(name, 32 * MiB, 2);
        var uri = node.NbdUri(name);
        await NbdData.WriteAndFlushAsync(uri, 0, 4 * MiB, seed);
        return (node, name, uri);
    }

    /// <summary>Cuts the engine's connections to its replicas' data endpoints; the next write fails both replicas.</summary>
    private async Task FaultAsync(NodeProcess node, string name, string uri)
    {
        var known = new HashSet<int> { node.Ready.Api.Port, node.Ready.NbdPort, new Uri(node.Ready.Remote.Replace("akka.tcp", "tcp", StringComparison.Ordinal)).Port };
        var listening = (await Tool.RunAsync("ss", ["-Htlnp"])).EnsureSuccess().StdOut.Split('\n')
            .Where(line => line.Contains($"pid={node.Pid},", StringComparison.Ordinal))
            .Select(line => int.Parse(LocalPort().Match(line).Groups[1].Value))
            .Where(port => !known.Contains(port)).ToArray();
        Assert.NotEmpty(listening);
        foreach (var port in listening) (await Tool.RunAsync("ss", ["-K", "dst", "127.0.0.1", "dport", "=", port.ToString()])).EnsureSuccess();
        var write = await Tool.RunAsync("qemu-io", ["-f", "raw", uri, "-c", "write -P 0x77 12M 64k"]);
        Assert.Contains("Input/output error", write.StdOut + write.StdErr);
        var volume = await node.Api.GetVolumeAsync(name);
        Assert.Equal(VolumeStates.Faulted, volume.Robustness);
        Assert.All(volume.Replicas, r => Assert.Equal(ReplicaModes.Error, r.Mode));
    }

    private static async Task AssertSalvagedAsync(NodeProcess node, string name)
    {
        var volume = await node.Api.GetVolumeAsync(name);
        Assert.Equal((VolumeStates.Attached, VolumeStates.Healthy), (volume.State, volume.Robustness));
        Assert.All(volume.Replicas, r => Assert.Equal(ReplicaModes.ReadWrite, r.Mode));
        Assert.NotNull(volume.LastSalvage);
    }

    [GeneratedRegex(@"\S+:(\d+)\s+\S+:\*")]
    private static partial Regex LocalPort();
}
