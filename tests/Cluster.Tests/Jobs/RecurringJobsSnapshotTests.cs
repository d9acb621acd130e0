using ActorStore.Backup;
using ActorStore.Cluster.Jobs;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.Cluster.Jobs.JobProtocol;

namespace ActorStore.Cluster.Tests.Jobs;

/// <summary>
/// The recurring jobs singleton snapshots its state (a job every minute adds about 3,000 events a day): with a snapshot after
/// every event, recovery starts from the last snapshot alone, and brings back the jobs, the volumes' items and the runs.
/// </summary>
public sealed class RecurringJobsSnapshotTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(InMemoryPersistence.Config, output)
{
    [Fact]
    public async Task Recovery_from_the_last_snapshot_brings_back_jobs_items_and_runs()
    {
        var registry = CreateTestProbe();
        registry.SetAutoPilot(new Akka.TestKit.DelegateAutoPilot((sender, _) =>
        {
            sender.Tell(new RegistryProtocol.VolumeNames([])); // no volumes: every run ends at once, without failures
            return Akka.TestKit.AutoPilot.KeepRunning;
        }));
        IActorRef Start(string name) =>
            Sys.ActorOf(RecurringJobs.Props(registry, CreateTestProbe(), CreateTestProbe(), TimeSpan.FromSeconds(3), new BackupStoreOptions(), snapshotEvery: 1), name);

        var jobs = Start("jobs-1");
        await jobs.Ask<JobView>(new CreateJob(new JobSpec("every-second", "* * * * * *", "snapshot", 3, 1, ["default"])), RemainingOrDefault);
        await jobs.Ask<JobView>(new CreateJob(new JobSpec("yearly", "0 0 1 1 *", "backup", 2, 1, ["gold"])), RemainingOrDefault);
        await jobs.Ask<VolumeJobs>(new ChangeVolumeJobs("v1", "group:gold", true), RemainingOrDefault);
        await jobs.Ask<VolumeJobs>(new ChangeVolumeJobs("v2", "job:every-second", true), RemainingOrDefault);
        JobList before = null!;
        await AwaitAssertAsync(async () =>
        {
            before = await jobs.Ask<JobList>(new ListJobs(), RemainingOrDefault);
            Assert.True(before.Items.Single(j => j.Spec.Name == "every-second").Runs.Count(r => r.Ended is not null) >= 3);
        }, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(200));
        Watch(jobs);
        jobs.Tell(PoisonPill.Instance);
        ExpectTerminated(jobs);

        var again = Start("jobs-2");
        var after = await again.Ask<JobList>(new ListJobs(), RemainingOrDefault);
        Assert.Equal(before.Items.Select(j => j.Spec.Name), after.Items.Select(j => j.Spec.Name));
        var (yearly, yearlyAfter) = (before.Items.Single(j => j.Spec.Name == "yearly"), after.Items.Single(j => j.Spec.Name == "yearly"));
        Assert.Equal((yearly.Spec.Cron, yearly.Spec.Task, yearly.Spec.Retain, yearly.Next), (yearlyAfter.Spec.Cron, yearlyAfter.Spec.Task, yearlyAfter.Spec.Retain, yearlyAfter.Next));
        Assert.Equal(["gold"], yearlyAfter.Spec.Groups);
        // Every run that had ended is back as it was (a run may have started after the list was taken: it is there too).
        var runsAfter = after.Items.Single(j => j.Spec.Name == "every-second").Runs;
        foreach (var run in before.Items.Single(j => j.Spec.Name == "every-second").Runs.Where(r => r.Ended is not null))
            Assert.Contains(runsAfter, r => r.Scheduled == run.Scheduled && r.Ended == run.Ended && r.Failures.Count == 0);
        Assert.True(runsAfter.Select(r => r.Scheduled).SequenceEqual(runsAfter.Select(r => r.Scheduled).OrderDescending()), "runs are newest first");
        Assert.Equal(["group:gold"], (await again.Ask<VolumeJobs>(new GetVolumeJobs("v1"), RemainingOrDefault)).Items);
        Assert.Equal(["every-second"], (await again.Ask<VolumeJobs>(new GetVolumeJobs("v2"), RemainingOrDefault)).Jobs);
    }
}
