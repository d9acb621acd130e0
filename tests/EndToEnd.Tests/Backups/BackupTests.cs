using ActorStore.Backup;
using ActorStore.Backup.Targets;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Cluster;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.EndToEnd.Tests.Harness.TestData;

namespace ActorStore.EndToEnd.Tests.Backups;

/// <summary>
/// Backups through pbm from a three-node cluster to a real directory and to s3rver: five snapshots of a volume with
/// holes, each backed up incrementally; every backup, restored from the target on its own, is sha256-equal to what the
/// volume held at its snapshot (read through NBD then).
/// </summary>
public sealed class BackupTests(ITestOutputHelper output) : NodeTest(output)
{
    private const long Size = 64 * MiB;

    [Theory]
    [InlineData("dir")]
    [InlineData("s3")]
    public async Task Five_snapshots_backed_up_through_pbm_restore_sha256_equal_and_a_delete_keeps_the_others(string kind)
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        var gateway = cluster.Nodes[1];
        await using var s3 = kind == "s3" ? await S3Server.StartAsync() : null;
        using var dir = new TempDirectory();
        var address = s3 is null ? $"dir://{dir.Sub("backups")}" : $"s3://{s3.Bucket}/cluster?endpoint={s3.Endpoint}&region=us-east-1";
        var keys = s3 is null ? Array.Empty<string>() : ["--access-key", S3Server.Key, "--secret-key", S3Server.Key];

        var refused = await Pbm(gateway, ok: false, "backup", "create", "nothing");
        Assert.Contains("no backup target is set", refused.StdErr);
        await Pbm(gateway, ok: true, ["backup", "target", "set", address, .. keys]);
        var shown = await Pbm(gateway, ok: true, "backup", "target", "show");
        Assert.DoesNotContain("S3RVER", shown.StdOut + (await gateway.Api.SendAsync(HttpMethod.Get, "/backup-target")).Body);

        var volume = await gateway.Api.CreateAttachedAsync("bk", Size, replicas: 3);
        var uri = volume.Endpoint!;
        var expected = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            await NbdData.WriteAndFlushAsync(uri, i * 12 * MiB + 4096 * i, 3 * MiB, seed: i); // holes between
            await gateway.Api.SnapshotAsync("bk", $"s{i}");
            expected.Add(await BackupChecks.VolumeSha256Async(uri));
            var done = await Pbm(gateway, ok: true, "backup", "create", "bk", $"s{i}", "--wait");
            Assert.Contains("completed", done.StdOut);
        }
        var missing = await Pbm(gateway, ok: false, "backup", "create", "bk", "no-such-snapshot");
        Assert.Contains("no snapshot 'no-such-snapshot'", missing.StdErr);

        var listed = await gateway.Api.ListBackupsAsync("bk");
        var backups = listed.OrderBy(b => b.Created).ToArray();
        Assert.Equal(["s0", "s1", "s2", "s3", "s4"], backups.Select(b => b.Snapshot));
        Assert.All(backups, b => Assert.Equal("completed", b.State));
        Assert.All(backups.Skip(1), b => Assert.NotNull(b.Base)); // incremental from the one before
        Out.WriteLine(string.Join("\n", backups.Select(b => $"measured: {b.Id} ({b.Snapshot}): {b.Blocks} blocks, {b.UploadedBlocks} uploaded, {b.ReusedBlocks} found in the target")));
        Assert.Contains(backups[0].Id, (await Pbm(gateway, ok: true, "backup", "list", "bk")).StdOut);
        Assert.Contains("completed", (await Pbm(gateway, ok: true, "backup", "show", backups[2].Id)).StdOut);

        using var target = Open(address);
        var store = new BackupStore(target);
        for (var i = 0; i < 5; i++) Assert.Equal(expected[i], await BackupChecks.RestoredSha256Async(store, (await store.FindBackupAsync(backups[i].Id))!));

        var deleted = await Pbm(gateway, ok: true, "backup", "delete", backups[0].Id);
        Assert.Contains("deleted", deleted.StdOut);
        Assert.Equal(4, (await gateway.Api.ListBackupsAsync("bk")).Length);
        for (var i = 1; i < 5; i++) Assert.Equal(expected[i], await BackupChecks.RestoredSha256Async(store, (await store.FindBackupAsync(backups[i].Id))!));
        var gone = await Pbm(gateway, ok: false, "backup", "show", backups[0].Id);
        Assert.Contains("no backup", gone.StdErr);

        // Into a new volume of the cluster: every replica's node writes the backup into its replica; then it attaches as any volume.
        var restored = await Pbm(gateway, ok: true, "backup", "restore", backups[3].Id, "bk-restored", "--replicas", "2", "--wait");
        Assert.Contains("restored from backup", restored.StdOut);
        Assert.Contains("completed", (await Pbm(gateway, ok: true, "backup", "restores")).StdOut);
        var attached = await cluster.Nodes[2].Api.AttachAsync("bk-restored");
        Assert.Equal(expected[3], await BackupChecks.VolumeSha256Async(attached.Endpoint!));
        var taken = await Pbm(gateway, ok: false, "backup", "restore", backups[4].Id, "bk-restored");
        Assert.Contains("already exists", taken.StdErr);
    }

    private IBackupTarget Open(string address)
    {
        Assert.True(TargetAddress.TryParse(address, out var parsed, out var why), why);
        return parsed!.Open(S3Server.Key, S3Server.Key);
    }

    private Task<ToolResult> Pbm(NodeProcess node, bool ok, params string[] args) => PbmCli.RunAsync(node, Out, ok, args);
}
