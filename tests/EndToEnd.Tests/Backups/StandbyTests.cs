using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Cluster;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.EndToEnd.Tests.Harness.TestData;

namespace ActorStore.EndToEnd.Tests.Backups;

/// <summary>
/// Disaster recovery across two clusters (separate node processes, separate journals) sharing one backup target: a
/// standby volume in the second follows three backups of a volume of the first — the last one zeroes a block the earlier
/// ones held — is refused an attach meanwhile, and once activated reads exactly what the last backup holds.
/// </summary>
public sealed class StandbyTests(ITestOutputHelper output) : NodeTest(output)
{
    private const string Config = "actorstore.backup.standby-poll = 2s\n";

    [Fact]
    public async Task A_standby_volume_in_a_second_cluster_follows_three_backups_and_activated_reads_the_last_exactly()
    {
        using var dir = new TempDirectory();
        var address = $"dir://{dir.Sub("backups")}";
        await using var primary = await LocalCluster.StartAsync(2, config: Config);
        await using var secondary = await LocalCluster.StartAsync(2, config: Config);
        var a = primary.Nodes[0];
        var b = secondary.Nodes[0];
        foreach (var node in new[] { a, b }) await Pbm(node, "backup", "target", "set", address);

        var source = await a.Api.CreateAttachedAsync("src", 32 * MiB, replicas: 2);
        await NbdData.WriteAndFlushAsync(source.Endpoint!, 0, 12 * MiB, seed: 1);
        await Pbm(a, "backup", "create", "src", "--wait");
        var first = Assert.Single(await a.Api.ListBackupsAsync("src"));

        await Pbm(b, "volume", "create", "dr", "--from-backup", first.Id, "--standby", "--wait");
        var standby = await b.Api.GetVolumeAsync("dr");
        Assert.Equal((VolumeStates.Standby, first.Id), (standby.State, standby.AppliedBackup));
        var refused = await b.Api.SendJsonAsync(HttpMethod.Post, "/volumes/dr/attach", new AttachVolume());
        Assert.Equal(409, (int)refused.Status);
        Assert.Contains("pbm volume activate dr", refused.Body);

        await NbdData.WriteAndFlushAsync(source.Endpoint!, 20 * MiB, 4 * MiB, seed: 2);
        await Pbm(a, "backup", "create", "src", "--wait");
        (await NbdSh.RunAsync(source.Endpoint!, $"h.zero({2 * MiB}, {4 * MiB})\nh.flush()")).EnsureSuccess(); // a block of data becomes zeros: a hole
        await NbdData.WriteAndFlushAsync(source.Endpoint!, 30 * MiB, MiB, seed: 3);
        var expected = await BackupChecks.VolumeSha256Async(source.Endpoint!);
        await Pbm(a, "backup", "create", "src", "--wait");
        var last = (await a.Api.ListBackupsAsync("src")).OrderBy(x => x.Created).Last();

        await LocalCluster.WaitForAsync(b, "dr", v => v.AppliedBackup == last.Id, TimeSpan.FromSeconds(60), $"the standby took backup {last.Id}");
        var restores = await b.Api.CallJsonAsync<RestoreInfo[]>(HttpMethod.Get, "/restores", null);
        Out.WriteLine($"measured: the standby ran {restores.Length} restores: {string.Join(", ", restores.Select(r => $"{r.Backup} {r.State}"))}");
        Assert.All(restores, r => Assert.Equal("completed", r.State));
        Assert.Contains("activated", (await Pbm(b, "volume", "activate", "dr")).StdOut);
        var attached = await b.Api.AttachAsync("dr");
        Assert.Equal(expected, await BackupChecks.VolumeSha256Async(attached.Endpoint!));
    }

    private Task<ToolResult> Pbm(NodeProcess node, params string[] args) => PbmCli.RunAsync(node, Out, ok: true, args);
}
