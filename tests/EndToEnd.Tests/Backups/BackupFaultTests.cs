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
/// The node doing a backup or a restore SIGKILLed midway, to s3rver: the backup is marked failed and leaves no record,
/// the target stays readable and the next backup completes and restores exactly; the failed restore deletes the volume
/// it made. Runs one block at a time so the kill lands midway.
/// </summary>
public sealed class BackupFaultTests(ITestOutputHelper output) : NodeTest(output)
{
    private const long Size = 256 * MiB;

    // A replica command to a killed node is answered for only when it times out: shorter than the default 60 s here.
    private const string Config = """
        actorstore.backup.silence = 5s
        actorstore.backup.parallelism = 1
        actorstore.volume.replica-command-timeout = 15s
        """;

    [Fact]
    public async Task The_node_running_a_backup_killed_midway_fails_it_the_target_stays_readable_and_the_next_backup_completes()
    {
        await using var cluster = await LocalCluster.StartAsync(3, config: Config);
        await using var s3 = await S3Server.StartAsync();
        var api = cluster.Nodes[0].Api;
        await api.CreateVolumeAsync("bf", Size, replicas: 2);
        var source = (await api.GetVolumeAsync("bf")).Replicas[0].Node; // the replica a backup reads
        var gateway = cluster.Nodes.First(n => n.Ready.NodeId != source);
        await SetTargetAsync(gateway, s3);
        var attached = await gateway.Api.AttachToAsync("bf", gateway.Ready.NodeId);
        await BackupChecks.FillAsync(attached.Endpoint!, Size);
        var expected = await BackupChecks.VolumeSha256Async(attached.Endpoint!);

        var started = await gateway.Api.CallJsonAsync<BackupInfo>(HttpMethod.Post, "/volumes/bf/backups", new CreateBackup());
        Assert.Equal(source, started.Node);
        await Eventually.WaitUntilAsync(async () => (await GetBackupAsync(gateway, started.Id)).Progress is { Done: > 0 }, TimeSpan.FromSeconds(60), "the backup under way");
        var victim = cluster.Nodes.Single(n => n.Ready.NodeId == source);
        victim.Kill();
        Out.WriteLine($"killed {source} (pid {victim.Pid}) mid-backup");
        BackupInfo failed = started;
        await Eventually.WaitUntilAsync(async () => (failed = await GetBackupAsync(gateway, started.Id)).State == "failed", TimeSpan.FromSeconds(90), "the backup failed");
        Out.WriteLine($"measured: failed with: {failed.Error}");
        Assert.Contains(source, failed.Error);

        using var target = Open(s3);
        var store = new BackupStore(target);
        Assert.Empty(await store.ListBackupsAsync("bf")); // no record: the target holds no half backup

        // The replica on the killed node fails once the engine writes to it; the next backup reads the other one.
        await NbdData.WriteAndFlushAsync(attached.Endpoint!, 0, MiB, seed: 9);
        var next = await Pbm(gateway, "backup", "create", "bf", "--wait");
        Assert.Contains("completed", next.StdOut);
        var record = Assert.Single(await store.ListBackupsAsync("bf"));
        Assert.NotEqual(expected, await BackupChecks.VolumeSha256Async(attached.Endpoint!));
        Assert.Equal(await BackupChecks.VolumeSha256Async(attached.Endpoint!), await BackupChecks.RestoredSha256Async(store, record));
        Out.WriteLine($"measured: the next backup uploaded {record.Stats.UploadedBlocks} of {record.Blocks.Count} blocks; {record.Stats.ReusedBlocks} were left by the failed one");
    }

    [Fact]
    public async Task A_node_killed_mid_restore_fails_the_restore_and_its_volume_is_deleted()
    {
        await using var cluster = await LocalCluster.StartAsync(3, config: Config);
        await using var s3 = await S3Server.StartAsync();
        var gateway = cluster.Nodes[0];
        await SetTargetAsync(gateway, s3);
        var attached = await gateway.Api.CreateAttachedAsync("rf", Size, replicas: 1);
        await BackupChecks.FillAsync(attached.Endpoint!, Size);
        await Pbm(gateway, "backup", "create", "rf", "--wait");
        var backup = (await gateway.Api.ListBackupsAsync("rf")).Single();

        var restore = await gateway.Api.CallJsonAsync<RestoreInfo>(HttpMethod.Post, $"/backups/{backup.Id}/restore", new RestoreBackup("rf-copy", Replicas: 3));
        await Eventually.WaitUntilAsync(async () => (await GetRestoreAsync(gateway, restore.Id)).Progress is { Done: > 0 }, TimeSpan.FromSeconds(60), "the restore under way");
        var victim = cluster.Nodes[2];
        victim.Kill();
        Out.WriteLine($"killed {victim.Ready.NodeId} mid-restore");
        RestoreInfo failed = restore;
        await Eventually.WaitUntilAsync(async () => (failed = await GetRestoreAsync(gateway, restore.Id)).State == "failed", TimeSpan.FromSeconds(90), "the restore failed");
        Out.WriteLine($"measured: failed with: {failed.Error}");
        Assert.Contains("'rf-copy' was deleted", failed.Error);
        await Eventually.WaitUntilAsync(async () => !(await gateway.Api.ListVolumesAsync()).Any(v => v.Name == "rf-copy"), TimeSpan.FromSeconds(90), "rf-copy deleted");
    }

    private static async Task SetTargetAsync(NodeProcess node, S3Server s3) =>
        await node.Api.CallJsonAsync<BackupTargetInfo>(HttpMethod.Put, "/backup-target",
            new SetBackupTarget($"s3://{s3.Bucket}/faults?endpoint={s3.Endpoint}", S3Server.Key, S3Server.Key));

    private static IBackupTarget Open(S3Server s3) => new S3Target(s3.Bucket, "faults", s3.Endpoint, "us-east-1", S3Server.Key, S3Server.Key);

    private static Task<BackupInfo> GetBackupAsync(NodeProcess node, string id) => node.Api.CallJsonAsync<BackupInfo>(HttpMethod.Get, $"/backups/{id}", null);

    private static Task<RestoreInfo> GetRestoreAsync(NodeProcess node, string id) => node.Api.CallJsonAsync<RestoreInfo>(HttpMethod.Get, $"/restores/{id}", null);

    private Task<ToolResult> Pbm(NodeProcess node, params string[] args) => PbmCli.RunAsync(node, Out, ok: true, args);
}
