using System.CommandLine;
using ActorStore.Cli.Output;
using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.Cli.Commands;

/// <summary>pbm job create | list | show | delete, and pbm volume jobs [add | remove].</summary>
public static class JobCommands
{
    public static Command Create(CommandRunner run) => new("job", "Recurring snapshot, backup and snapshot-cleanup jobs")
    {
        CreateJob(run), List(run), Show(run), Delete(run),
    };

    private static Argument<string> JobName() => Arguments.Name("JOB", "job", "The job's name");

    private static Command CreateJob(CommandRunner run)
    {
        var name = JobName();
        var cron = new Option<string>("--cron") { Description = "When, UTC: five cron fields (\"0 3 * * *\": daily at 03:00), or six with seconds first", Required = true };
        var task = new Option<string>("--task") { Description = "snapshot, backup, or snapshot-cleanup (purges removed snapshots)", Required = true };
        task.AcceptOnlyFromAmong("snapshot", "backup", "snapshot-cleanup");
        var retain = new Option<int>("--retain") { Description = "How many of the snapshots or backups it made to keep", DefaultValueFactory = _ => 1 };
        var concurrency = new Option<int>("--concurrency") { Description = "Volumes it works on at once", DefaultValueFactory = _ => 1 };
        var groups = new Option<string[]>("--group") { Description = "A group whose volumes it applies to (repeatable; 'default': volumes that name no job or group)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("create", "Create a recurring job") { name, cron, task, retain, concurrency, groups };
        command.SetAction(run.Show<JobInfo>(
            parse => Call.Post(Routes.Jobs, new CreateJobRequest(parse.GetRequiredValue(name), parse.GetRequiredValue(cron), parse.GetRequiredValue(task),
                parse.GetValue(retain), parse.GetValue(concurrency), parse.GetValue(groups) ?? [])),
            (_, job, terminal) => terminal.Line($"job {job.Name} created: {job.Task} at '{job.Cron}', retain {job.Retain}; next run {Tables.Time(job.Next)}")));
        return command;
    }

    private static Command List(CommandRunner run)
    {
        var command = new Command("list", "List the recurring jobs");
        command.SetAction(run.Show<JobInfo[]>(_ => Call.Get(Routes.Jobs), (_, jobs, terminal) => terminal.Write(Tables.Jobs(jobs))));
        return command;
    }

    private static Command Show(CommandRunner run)
    {
        var name = JobName();
        var command = new Command("show", "Show a recurring job and its last runs") { name };
        command.SetAction(run.Show<JobInfo>(parse => Call.Get(Routes.Job(parse.GetRequiredValue(name))), (_, job, terminal) =>
        {
            terminal.Write(Tables.Jobs([job]));
            terminal.Write(Tables.JobRuns(job.Runs));
        }));
        return command;
    }

    private static Command Delete(CommandRunner run)
    {
        var name = JobName();
        var command = new Command("delete", "Delete a recurring job; the snapshots and backups it made stay") { name };
        command.SetAction(run.Do(parse => Call.Delete(Routes.Job(parse.GetRequiredValue(name))), (parse, terminal) => terminal.Line($"job {parse.GetRequiredValue(name)} deleted")));
        return command;
    }

    /// <summary>pbm volume jobs VOLUME, pbm volume jobs add|remove VOLUME --job J | --group G.</summary>
    public static Command VolumeJobs(CommandRunner run)
    {
        var show = Arguments.Name("VOLUME", "volume", "The volume");
        var command = new Command("jobs", "The recurring jobs that apply to a volume; add or remove a job or group") { show, Change(run, add: true), Change(run, add: false) };
        command.SetAction(run.Show<VolumeJobsInfo>(parse => Call.Get(Routes.VolumeJobs(parse.GetRequiredValue(show))), (_, v, terminal) => Line(v, terminal)));
        return command;
    }

    private static Command Change(CommandRunner run, bool add)
    {
        var volume = Arguments.Name("VOLUME", "volume", "The volume");
        var job = Arguments.NameOption("--job", "job", "A job");
        var group = Arguments.NameOption("--group", "group", "A group of jobs");
        var command = new Command(add ? "add" : "remove", add ? "Name a job or group for the volume" : "Stop naming a job or group") { volume, job, group };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(job) is null) == (result.GetValue(group) is null)) result.AddError("give either --job or --group");
        });
        command.SetAction(run.Show<VolumeJobsInfo>(parse =>
        {
            var name = parse.GetRequiredValue(volume);
            return add
                ? Call.Post(Routes.VolumeJobs(name), new AddVolumeJob(parse.GetValue(job), parse.GetValue(group)))
                : Call.Delete(Routes.VolumeJob(name, parse.GetValue(job) is { } j ? $"job:{j}" : $"group:{parse.GetValue(group)}"));
        }, (_, v, terminal) => Line(v, terminal)));
        return command;
    }

    private static void Line(VolumeJobsInfo v, Terminal terminal) =>
        terminal.Line($"volume {v.Volume} names {(v.Items.Count == 0 ? "nothing (group default)" : string.Join(", ", v.Items))}; "
            + $"jobs that apply: {(v.Jobs.Count == 0 ? "none" : string.Join(", ", v.Jobs))}");
}
