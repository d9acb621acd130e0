using ActorStore.Backup;
using ActorStore.Backup.Targets;
using ActorStore.Cluster.Backups;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using static ActorStore.Cluster.Jobs.JobProtocol;

namespace ActorStore.Cluster.Jobs;

/// <summary>
/// One run of a job over its volumes, at most <see cref="JobSpec.Concurrency"/> at once, through the volumes and the backup
/// coordinator as an operator's commands would go. Each volume's failure is noted, not thrown: the next occurrence retries.
/// What the job made is labelled <c>recurring-job=NAME</c>, and only the newest <see cref="JobSpec.Retain"/> of it are kept.
/// </summary>
public sealed class JobRunner(IActorRef volumes, IActorRef backups, TimeSpan askTimeout, BackupStoreOptions options)
{
    public const string Label = "recurring-job";

    public async Task<IReadOnlyList<string>> RunAsync(JobSpec job, DateTimeOffset scheduled, IReadOnlyList<string> targets)
    {
        var failures = new List<string>();
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, job.Concurrency) }, async (volume, _) =>
        {
            var why = await RunOneAsync(job, scheduled, volume).ConfigureAwait(false);
            if (why is not null) lock (failures) failures.Add($"{volume}: {why}");
        }).ConfigureAwait(false);
        return failures;
    }

    private async Task<string?> RunOneAsync(JobSpec job, DateTimeOffset scheduled, string volume)
    {
        var labels = new Dictionary<string, string> { [Label] = job.Name };
        switch (job.Task)
        {
            case "snapshot":
                {
                    var name = $"{job.Name}-{scheduled.UtcDateTime:yyyyMMdd-HHmmss}";
                    if (await AskAsync(volumes, new VolumeProtocol.CreateSnapshot(volume, name, UserCreated: true, labels)) is not VolumeProtocol.Snapshots list)
                        return await WhyAsync(volume, name);
                    return await RetainSnapshotsAsync(volume, list, s => s.Labels.GetValueOrDefault(Label) == job.Name, job.Retain);
                }
            case "snapshot-cleanup":
                return await AskAsync(volumes, new VolumeProtocol.Purge(volume)) is VolumeProtocol.Snapshots ? null : "purge refused";
            case "backup":
                return await BackupAsync(job, volume, labels);
            default:
                return $"unknown task '{job.Task}'";
        }
    }

    private async Task<string?> WhyAsync(string volume, string snapshot) =>
        await AskAsync(volumes, new VolumeProtocol.ListSnapshots(volume)) is VolumeProtocol.Snapshots s && s.Items.Any(x => x.Name == snapshot)
            ? null // taken by an earlier attempt of this occurrence
            : $"snapshot {snapshot} not taken";

    /// <summary>Deletes the oldest of the snapshots <paramref name="mine"/> selects beyond the newest <paramref name="retain"/>.</summary>
    private async Task<string?> RetainSnapshotsAsync(string volume, VolumeProtocol.Snapshots list, Func<VolumeProtocol.SnapshotView, bool> mine, int retain)
    {
        foreach (var old in list.Items.Where(s => !s.Removed && mine(s)).OrderByDescending(s => s.Created).Skip(retain))
            if (await AskAsync(volumes, new VolumeProtocol.DeleteSnapshot(volume, old.Name)) is VolumeProtocol.Refused r)
                return $"snapshot {old.Name} not deleted: {r.Detail}";
        return null;
    }

    /// <summary>Backs the volume up (a snapshot taken for it), waits for the end, then keeps the newest backups and only the last backup snapshot (the next one's base).</summary>
    private async Task<string?> BackupAsync(JobSpec job, string volume, Dictionary<string, string> labels)
    {
        if (await AskAsync(backups, new BackupProtocol.StartBackup(volume, null, labels)) is not BackupProtocol.RunView run)
            return "the backup did not start";
        var deadline = DateTimeOffset.UtcNow.AddHours(6);
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            if (await AskAsync(backups, new BackupProtocol.ListRuns()) is not BackupProtocol.Runs runs) continue;
            var now = runs.Items.FirstOrDefault(r => r.Id == run.Id);
            if (now is { State: "failed" }) return $"backup {run.Id} failed: {now.Error}";
            if (now is null) break;
            if (DateTimeOffset.UtcNow > deadline) return $"backup {run.Id} still runs after 6 hours";
        }
        if (await AskAsync(volumes, new VolumeProtocol.ListSnapshots(volume)) is VolumeProtocol.Snapshots list
            && await RetainSnapshotsAsync(volume, list, s => s.Labels.GetValueOrDefault(Label) == job.Name && s.Labels.ContainsKey("backup"), 1) is { } why)
            return why;
        if (await AskAsync(backups, new BackupProtocol.GetTarget()) is not BackupProtocol.TargetView { Address: { } text } target
            || !TargetAddress.TryParse(text, out var address, out _))
            return "no backup target to keep the newest backups in";
        using var opened = address!.Open(target.AccessKey, target.SecretKey);
        var store = new BackupStore(opened, options);
        foreach (var old in (await store.ListBackupsAsync(volume).ConfigureAwait(false))
                 .Where(b => b.Labels.GetValueOrDefault(Label) == job.Name).OrderByDescending(b => b.Completed).Skip(job.Retain))
            await store.DeleteBackupAsync(volume, old.Id, $"job {job.Name}").ConfigureAwait(false);
        return null;
    }

    private async Task<object> AskAsync(IActorRef to, object message)
    {
        try
        {
            return await to.Ask<object>(message, askTimeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return new VolumeProtocol.Refused("", VolumeError.Unavailable, $"no answer within {askTimeout.TotalSeconds:0} s");
        }
    }
}
