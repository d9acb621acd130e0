using ActorStore.Cluster.Api.Contracts;
using ActorStore.Cluster.Protocol;
using ActorStore.Volume.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ActorStore.Cluster.Api;

/// <summary><c>/volumes</c>: each route validates, asks the volume's entity through the shard region, maps the answer.</summary>
internal static class VolumeEndpoints
{
    public static void MapVolumeEndpoints(this IEndpointRouteBuilder app)
    {
        var volumes = app.MapGroup("/volumes").WithTags("volumes");
        volumes.MapGet("/", List).WithName("ListVolumes").WithSummary("List volumes")
            .WithDescription("Every volume the registry knows. A volume that does not answer in time is listed with state and robustness 'unknown'; GET /volumes/{name} says why.")
            .WithProblems(504);
        volumes.MapPost("/", Create).WithName("CreateVolume").WithSummary("Create a volume")
            .WithDescription("Size in bytes, a multiple of 4096, at most 64 TiB; replicas 1-3 (the node's default when omitted).")
            .WithProblems(400, 409, 503, 504, 507);
        volumes.MapGet("/{name}", Get).WithName("GetVolume").WithSummary("Show a volume").WithProblems(400, 404, 504);
        volumes.MapDelete("/{name}", Delete).WithName("DeleteVolume").WithSummary("Delete a volume")
            .WithDescription("Deletes the volume, its replicas and snapshots. A volume must be detached first.").WithProblems(400, 404, 409, 504);
        volumes.MapPost("/{name}/attach", Attach).WithName("AttachVolume").WithSummary("Attach a volume to a node")
            .WithDescription("The body is optional; without a node the volume attaches to the node that serves this request. The engine moves to that node and the volume is exported over NBD there (VolumeInfo.endpoint).")
            .WithProblems(400, 404, 409, 503, 504);
        volumes.MapPost("/{name}/detach", Detach).WithName("DetachVolume").WithSummary("Detach a volume").WithProblems(400, 404, 409, 504);
        volumes.MapPost("/{name}/expand", Expand).WithName("ExpandVolume").WithSummary("Grow a volume")
            .WithDescription("The new size in bytes: larger than the current one, a multiple of 4096, at most 64 TiB.").WithProblems(400, 404, 409, 504, 507);
        volumes.MapPost("/{name}/revert", Revert).WithName("RevertVolume").WithSummary("Revert a volume to a snapshot")
            .WithDescription("The volume must be detached.").WithProblems(400, 404, 409, 504);
        volumes.MapPost("/{name}/salvage", Salvage).WithName("SalvageVolume").WithSummary("Bring a faulted volume back from its freshest intact replicas")
            .WithDescription("For a volume whose replicas have all failed (faulted) while their data is intact: the replica with the highest revision serves again and those that agree with it are reconciled from it; the rest stay ERR. A replica that failed an fsync or is corrupt is never used. Attached or detached; lastSalvage in the answer says what was chosen and why.")
            .WithProblems(400, 404, 409, 503, 504);
        volumes.MapGet("/{name}/replicas", Replicas).WithName("ListReplicas").WithSummary("List a volume's replicas")
            .WithDescription("Mode is RW (in sync), WO (rebuilding) or ERR (failed).").WithProblems(400, 404, 504);
    }

    private static async Task<Results<Ok<List<VolumeInfo>>, ProblemHttpResult>> List(ActorAsks asks, CancellationToken ct)
    {
        var answer = await asks.Registry(new RegistryProtocol.ListVolumes(), ct);
        if (answer is not RegistryProtocol.VolumeNames names) return Problems.From(answer);
        var answers = await Task.WhenAll(names.Names.Select(n => asks.Volume(new VolumeProtocol.Get(n), ct)));
        var list = new List<VolumeInfo>(answers.Length);
        for (var i = 0; i < answers.Length; i++)
        {
            switch (answers[i])
            {
                case VolumeProtocol.VolumeView v:
                    list.Add(ContractMapping.ToInfo(v));
                    break;
                case VolumeProtocol.Refused { Error: VolumeError.NotFound }:
                    break; // deleted between the registry's answer and ours
                default:
                    list.Add(Unknown(names.Names[i]));
                    break;
            }
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return TypedResults.Ok(list);
    }

    private static async Task<Results<Created<VolumeInfo>, ProblemHttpResult>> Create(CreateVolume body, ActorAsks asks, CancellationToken ct)
    {
        var replicas = body.Replicas ?? asks.Targets.DefaultReplicas;
        if ((RequestValidation.Name(body.Name, "volume") ?? RequestValidation.Size(body.Size) ?? RequestValidation.Replicas(replicas)) is { } why)
            return Problems.Invalid(why);
        return await asks.Volume(new VolumeProtocol.Create(body.Name, body.Size, replicas, body.SoftAntiAffinity), ct) switch
        {
            VolumeProtocol.VolumeView v => TypedResults.Created($"/volumes/{v.Name}", ContractMapping.ToInfo(v)),
            var other => Problems.From(other),
        };
    }

    private static Task<Results<Ok<VolumeInfo>, ProblemHttpResult>> Get(string name, ActorAsks asks, CancellationToken ct) =>
        AskForViewAsync(name, () => new VolumeProtocol.Get(name), asks, ct);

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(name, "volume") is { } why) return Problems.Invalid(why);
        return await asks.Volume(new VolumeProtocol.Delete(name), ct) switch
        {
            VolumeProtocol.Deleted => TypedResults.NoContent(),
            var other => Problems.From(other),
        };
    }

    private static Task<Results<Ok<VolumeInfo>, ProblemHttpResult>> Attach(string name, AttachVolume? body, ActorAsks asks, CancellationToken ct)
    {
        var node = body?.Node ?? asks.Targets.NodeId;
        return RequestValidation.Name(node, "node") is { } why
            ? Task.FromResult<Results<Ok<VolumeInfo>, ProblemHttpResult>>(Problems.Invalid(why))
            : AskForViewAsync(name, () => new VolumeProtocol.Attach(name, node), asks, ct);
    }

    private static Task<Results<Ok<VolumeInfo>, ProblemHttpResult>> Detach(string name, ActorAsks asks, CancellationToken ct) =>
        AskForViewAsync(name, () => new VolumeProtocol.Detach(name), asks, ct);

    private static Task<Results<Ok<VolumeInfo>, ProblemHttpResult>> Expand(string name, ExpandVolume body, ActorAsks asks, CancellationToken ct) =>
        RequestValidation.Size(body.Size) is { } why
            ? Task.FromResult<Results<Ok<VolumeInfo>, ProblemHttpResult>>(Problems.Invalid(why))
            : AskForViewAsync(name, () => new VolumeProtocol.Expand(name, body.Size), asks, ct);

    private static Task<Results<Ok<VolumeInfo>, ProblemHttpResult>> Revert(string name, RevertVolume body, ActorAsks asks, CancellationToken ct) =>
        RequestValidation.Name(body.Snapshot, "snapshot") is { } why
            ? Task.FromResult<Results<Ok<VolumeInfo>, ProblemHttpResult>>(Problems.Invalid(why))
            : AskForViewAsync(name, () => new VolumeProtocol.Revert(name, body.Snapshot), asks, ct);

    private static Task<Results<Ok<VolumeInfo>, ProblemHttpResult>> Salvage(string name, ActorAsks asks, CancellationToken ct) =>
        AskForViewAsync(name, () => new VolumeProtocol.Salvage(name), asks, ct);

    private static async Task<Results<Ok<List<ReplicaInfo>>, ProblemHttpResult>> Replicas(string name, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(name, "volume") is { } why) return Problems.Invalid(why);
        return await asks.Volume(new VolumeProtocol.Get(name), ct) switch
        {
            VolumeProtocol.VolumeView v => TypedResults.Ok(v.Replicas.Select(ContractMapping.ToInfo).ToList()),
            var other => Problems.From(other),
        };
    }

    /// <summary>The common shape: validate the volume name, ask, answer the volume's new record.</summary>
    private static async Task<Results<Ok<VolumeInfo>, ProblemHttpResult>> AskForViewAsync(
        string name, Func<IWithVolumeName> command, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(name, "volume") is { } why) return Problems.Invalid(why);
        return await asks.Volume(command(), ct) switch
        {
            VolumeProtocol.VolumeView v => TypedResults.Ok(ContractMapping.ToInfo(v)),
            var other => Problems.From(other),
        };
    }

    private static VolumeInfo Unknown(string name) =>
        new(name, Guid.Empty, 0, 0, VolumeStates.Unknown, VolumeStates.Unknown, null, null, 0, 0, default, []);
}
