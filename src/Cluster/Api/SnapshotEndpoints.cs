using ActorStore.Cluster.Api.Contracts;
using ActorStore.Volume.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ActorStore.Cluster.Api;

/// <summary><c>/volumes/{name}/snapshots</c> and purge: the volume entity owns its snapshot list.</summary>
internal static class SnapshotEndpoints
{
    public static void MapSnapshotEndpoints(this IEndpointRouteBuilder app)
    {
        var snapshots = app.MapGroup("/volumes/{name}").WithTags("snapshots");
        snapshots.MapGet("/snapshots", List).WithName("ListSnapshots").WithSummary("List a volume's snapshots").WithProblems(400, 404, 504);
        snapshots.MapPost("/snapshots", Create).WithName("CreateSnapshot").WithSummary("Take a snapshot")
            .WithDescription("The body is optional; without a name the snapshot is named snap-yyyyMMdd-HHmmss-xxxx (UTC).")
            .WithProblems(400, 404, 409, 504, 507);
        snapshots.MapGet("/snapshots/{snapshot}", Get).WithName("GetSnapshot").WithSummary("Show one snapshot").WithProblems(400, 404, 504);
        snapshots.MapDelete("/snapshots/{snapshot}", Delete).WithName("DeleteSnapshot").WithSummary("Delete a snapshot")
            .WithDescription("Marks the snapshot removed; its data is folded into the next layer when the chain is purged.")
            .WithProblems(400, 404, 409, 504);
        snapshots.MapPost("/purge", Purge).WithName("PurgeSnapshots").WithSummary("Purge removed snapshots")
            .WithDescription("Folds removed snapshots away and answers the snapshots that remain.").WithProblems(400, 404, 409, 504);
    }

    private static Task<Results<Ok<List<SnapshotInfo>>, ProblemHttpResult>> List(string name, ActorAsks asks, CancellationToken ct) =>
        AskForListAsync(name, new VolumeProtocol.ListSnapshots(name), asks, ct);

    private static async Task<Results<Created<SnapshotInfo>, ProblemHttpResult>> Create(
        string name, CreateSnapshot? body, ActorAsks asks, TimeProvider clock, CancellationToken ct)
    {
        var snapshot = body?.Name ?? RequestValidation.GenerateSnapshotName(clock.GetUtcNow());
        if ((RequestValidation.Name(name, "volume") ?? RequestValidation.Name(snapshot, "snapshot") ?? RequestValidation.Labels(body?.Labels)) is { } why)
            return Problems.Invalid(why);
        // The volume answers its whole list; the one just taken is found by name.
        var answer = await asks.Volume(new VolumeProtocol.CreateSnapshot(name, snapshot, UserCreated: true, body?.Labels), ct);
        if (answer is not VolumeProtocol.Snapshots list) return Problems.From(answer);
        return list.Items.FirstOrDefault(s => s.Name == snapshot) is { } taken
            ? TypedResults.Created($"/volumes/{name}/snapshots/{snapshot}", ContractMapping.ToInfo(taken))
            : Problems.Internal($"volume '{name}' accepted snapshot '{snapshot}' but does not list it; list the snapshots and retry if it is missing");
    }

    private static async Task<Results<Ok<SnapshotInfo>, ProblemHttpResult>> Get(string name, string snapshot, ActorAsks asks, CancellationToken ct)
    {
        if ((RequestValidation.Name(name, "volume") ?? RequestValidation.Name(snapshot, "snapshot")) is { } why) return Problems.Invalid(why);
        var answer = await asks.Volume(new VolumeProtocol.ListSnapshots(name), ct);
        if (answer is not VolumeProtocol.Snapshots list) return Problems.From(answer);
        return list.Items.FirstOrDefault(s => s.Name == snapshot) is { } found
            ? TypedResults.Ok(ContractMapping.ToInfo(found))
            : Problems.Of(VolumeError.NotFound, $"volume '{name}' has no snapshot '{snapshot}'; GET /volumes/{name}/snapshots lists them");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, string snapshot, ActorAsks asks, CancellationToken ct)
    {
        if ((RequestValidation.Name(name, "volume") ?? RequestValidation.Name(snapshot, "snapshot")) is { } why) return Problems.Invalid(why);
        return await asks.Volume(new VolumeProtocol.DeleteSnapshot(name, snapshot), ct) switch
        {
            // The protocol leaves the success reply open: the remaining list or a plain Deleted.
            VolumeProtocol.Snapshots or VolumeProtocol.Deleted => TypedResults.NoContent(),
            var other => Problems.From(other),
        };
    }

    private static Task<Results<Ok<List<SnapshotInfo>>, ProblemHttpResult>> Purge(string name, ActorAsks asks, CancellationToken ct) =>
        AskForListAsync(name, new VolumeProtocol.Purge(name), asks, ct);

    private static async Task<Results<Ok<List<SnapshotInfo>>, ProblemHttpResult>> AskForListAsync(
        string name, IWithVolumeName command, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(name, "volume") is { } why) return Problems.Invalid(why);
        return await asks.Volume(command, ct) switch
        {
            VolumeProtocol.Snapshots list => TypedResults.Ok(list.Items.Select(ContractMapping.ToInfo).ToList()),
            var other => Problems.From(other),
        };
    }
}
