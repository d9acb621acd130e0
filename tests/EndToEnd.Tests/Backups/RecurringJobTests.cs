using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Cluster;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.EndToEnd.Tests.Harness.TestData;

namespace ActorStore.EndToEnd.Tests.Backups;

/// <summary>
/// A recurring snapshot job with retain 3 on three real nodes, every 5 seconds (a six-field cron, so the test takes a minute
/// rather than the issue's five): it runs once per occurrence for the whole cluster, not once per node — every job snapshot
/// has its own occurrence — keeps exactly the newest three, leaves a volume it does not apply to alone, and goes on across
/// a SIGKILL and restart of the node that held the schedule.
/// </summary>
public sealed class RecurringJobTests(ITestOutputHelper output) : NodeTest(output)
{
    private const string Job = "every5s";

    [Fact]
    public async Task A_snapshot_job_with_retain_3_runs_once_per_schedule_keeps_three_and_survives_the_loss_of_its_node()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        var gateway = cluster.Nodes[1];
        await gateway.Api.CreateVolumeAsync("rj", 16 * MiB, replicas: 2);
        await gateway.Api.CreateVolumeAsync("other", 16 * MiB, replicas: 2);
        await Pbm(gateway, "job", "create", Job, "--cron", "*/5 * * * * *", "--task", "snapshot", "--retain", "3");
        Assert.Contains($"jobs that apply: {Job}", (await Pbm(gateway, "volume", "jobs", "add", "rj", "--job", Job)).StdOut);

        await Eventually.WaitUntilAsync(async () => (await JobSnapshotsAsync(gateway, "rj")).Length >= 5, TimeSpan.FromSeconds(60), "five runs of the job");
        await AssertOncePerScheduleAsync(gateway);

        // The schedule is held by the oldest node (the singleton's): kill it, and start it again.
        var holder = cluster.Nodes[0];
        var before = (await JobSnapshotsAsync(gateway, "rj")).Length;
        holder.Kill();
        await holder.StartAgainAsync();
        // The volumes' controllers on the killed node move meanwhile: their answers may time out for a while.
        await Eventually.WaitUntilAsync(async () => (await TryJobSnapshotsAsync(gateway, "rj"))?.Length >= before + 4, TimeSpan.FromSeconds(120), "four more runs after the restart");
        await AssertOncePerScheduleAsync(gateway);
        Assert.Empty(await JobSnapshotsAsync(gateway, "other")); // names no job, and the job is not in group default
    }

    /// <summary>Every job snapshot serves its own occurrence (the job's runs list each once) and exactly the newest three are kept.</summary>
    private async Task AssertOncePerScheduleAsync(NodeProcess gateway)
    {
        var job = await gateway.Api.CallJsonAsync<JobInfo>(HttpMethod.Get, $"/jobs/{Job}", null);
        var snapshots = await JobSnapshotsAsync(gateway, "rj");
        await Eventually.WaitUntilAsync(async () => (snapshots = await TryJobSnapshotsAsync(gateway, "rj") ?? []).Count(s => !s.Removed) == 3,
            TimeSpan.FromSeconds(20), "exactly three job snapshots kept");
        Out.WriteLine($"measured: {snapshots.Length} job snapshots taken, {snapshots.Count(s => !s.Removed)} kept; runs: "
            + string.Join(", ", job.Runs.Select(r => $"{r.Scheduled:HH:mm:ss}{(r.Failures.Count > 0 ? $" ({string.Join("; ", r.Failures)})" : "")}")));
        Assert.Equal(job.Runs.Count, job.Runs.Select(r => r.Scheduled).Distinct().Count());
        Assert.Equal(snapshots.Length, snapshots.Select(s => s.Name).Distinct().Count());
        var kept = snapshots.Where(s => !s.Removed).OrderBy(s => s.Created).ToArray();
        Assert.True(kept.All(k => snapshots.Where(s => s.Removed).All(r => r.Created < k.Created)), "the newest three are the ones kept");
    }

    private static async Task<SnapshotInfo[]?> TryJobSnapshotsAsync(NodeProcess gateway, string volume)
    {
        try
        {
            return await JobSnapshotsAsync(gateway, volume);
        }
        catch (ApiException)
        {
            return null;
        }
    }

    private static async Task<SnapshotInfo[]> JobSnapshotsAsync(NodeProcess gateway, string volume) =>
        (await gateway.Api.ListSnapshotsAsync(volume)).Where(s => s.Labels?.GetValueOrDefault("recurring-job") == Job).ToArray();

    private Task<ToolResult> Pbm(NodeProcess node, params string[] args) => PbmCli.RunAsync(node, Out, ok: true, args);
}
