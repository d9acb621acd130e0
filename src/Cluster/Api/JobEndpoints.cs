using ActorStore.Cluster.Api.Contracts;
using ActorStore.Cluster.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using static ActorStore.Cluster.Jobs.JobProtocol;

namespace ActorStore.Cluster.Api;

/// <summary>Recurring jobs (<c>/jobs</c>) and which volumes they apply to (<c>/volumes/{name}/jobs</c>).</summary>
internal static class JobEndpoints
{
    public static void MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("jobs");
        group.MapPost("/jobs", Create).WithName("CreateJob").WithSummary("Create a recurring snapshot, backup or snapshot-cleanup job").WithProblems(400, 409, 504);
        group.MapGet("/jobs", List).WithName("ListJobs").WithSummary("List the recurring jobs, their next run and last runs").WithProblems(504);
        group.MapGet("/jobs/{name}", Get).WithName("GetJob").WithSummary("Show one recurring job").WithProblems(400, 404, 504);
        group.MapDelete("/jobs/{name}", Delete).WithName("DeleteJob").WithSummary("Delete a recurring job (what it made stays)").WithProblems(400, 404, 504);
        group.MapGet("/volumes/{name}/jobs", VolumeJobs).WithName("ListVolumeJobs").WithSummary("The jobs and groups a volume names, and the jobs that apply to it").WithProblems(400, 504);
        group.MapPost("/volumes/{name}/jobs", AddVolumeJob).WithName("AddVolumeJob").WithSummary("Name a job or a group for a volume").WithProblems(400, 404, 504);
        group.MapDelete("/volumes/{name}/jobs/{item}", RemoveVolumeJob).WithName("RemoveVolumeJob").WithSummary("Stop naming a job (job:NAME) or group (group:NAME)")
            .WithProblems(400, 504);
    }

    private static async Task<Results<Created<JobInfo>, ProblemHttpResult>> Create(CreateJobRequest body, ActorAsks asks, CancellationToken ct) =>
        await asks.Jobs(new CreateJob(new JobSpec(body.Name ?? "", body.Cron ?? "", body.Task ?? "", body.Retain, body.Concurrency, body.Groups ?? [])), ct) switch
        {
            JobView job => TypedResults.Created($"/jobs/{job.Spec.Name}", Info(job)),
            var other => Problems.From(other),
        };

    private static async Task<Results<Ok<List<JobInfo>>, ProblemHttpResult>> List(ActorAsks asks, CancellationToken ct) =>
        await asks.Jobs(new ListJobs(), ct) switch
        {
            JobList jobs => TypedResults.Ok(jobs.Items.Select(Info).ToList()),
            var other => Problems.From(other),
        };

    private static async Task<Results<Ok<JobInfo>, ProblemHttpResult>> Get(string name, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(name, "job") is { } why) return Problems.Invalid(why);
        return await asks.Jobs(new ListJobs(), ct) switch
        {
            JobList jobs when jobs.Items.FirstOrDefault(j => j.Spec.Name == name) is { } job => TypedResults.Ok(Info(job)),
            JobList => Problems.Of(Volume.Protocol.VolumeError.NotFound, $"no job '{name}'; `pbm job list` shows them"),
            var other => Problems.From(other),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(name, "job") is { } why) return Problems.Invalid(why);
        return await asks.Jobs(new DeleteJob(name), ct) switch
        {
            JobList => TypedResults.NoContent(),
            var other => Problems.From(other),
        };
    }

    private static async Task<Results<Ok<VolumeJobsInfo>, ProblemHttpResult>> VolumeJobs(string name, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(name, "volume") is { } why) return Problems.Invalid(why);
        return Map(await asks.Jobs(new GetVolumeJobs(name), ct));
    }

    private static async Task<Results<Ok<VolumeJobsInfo>, ProblemHttpResult>> AddVolumeJob(string name, AddVolumeJob body, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(name, "volume") is { } why) return Problems.Invalid(why);
        if ((body.Job is null) == (body.Group is null)) return Problems.Invalid("name either a job or a group: {\"job\": \"NAME\"} or {\"group\": \"NAME\"}");
        return Map(await asks.Jobs(new ChangeVolumeJobs(name, body.Job is { } job ? $"job:{job}" : $"group:{body.Group}", Add: true), ct));
    }

    private static async Task<Results<Ok<VolumeJobsInfo>, ProblemHttpResult>> RemoveVolumeJob(string name, string item, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(name, "volume") is { } why) return Problems.Invalid(why);
        return Map(await asks.Jobs(new ChangeVolumeJobs(name, item, Add: false), ct));
    }

    private static Results<Ok<VolumeJobsInfo>, ProblemHttpResult> Map(object answer) => answer switch
    {
        JobProtocol.VolumeJobs v => TypedResults.Ok(new VolumeJobsInfo(v.Volume, v.Items, v.Jobs)),
        var other => Problems.From(other),
    };

    private static JobInfo Info(JobView j) => new(j.Spec.Name, j.Spec.Cron, j.Spec.Task, j.Spec.Retain, j.Spec.Concurrency, j.Spec.Groups, j.Next,
        j.Runs.Select(r => new JobRunInfo(r.Scheduled, r.Ended, r.Volumes, r.Failures)).ToList());
}
