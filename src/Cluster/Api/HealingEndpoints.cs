using ActorStore.Cluster.Api.Contracts;
using ActorStore.Cluster.Protocol;
using ActorStore.Volume.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ActorStore.Cluster.Api;

/// <summary>What self-healing shows an operator: the rebuilds running and what happened to the replicas, per volume and per node.</summary>
internal static class HealingEndpoints
{
    public static void MapHealingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/rebuilds", Rebuilds).WithTags("volumes").WithName("ListRebuilds").WithSummary("List the rebuilds running in the cluster")
            .WithDescription("Per volume: the replica being rebuilt, bytes done of total, rate and ETA.").WithProblems(504);
        app.MapGet("/volumes/{name}/events", VolumeEvents).WithTags("volumes").WithName("ListVolumeEvents").WithSummary("What happened to a volume's replicas, newest first")
            .WithDescription("Replica failed, rebuild started, rebuilt, replica removed, salvaged: each with its time and reason.").WithProblems(400, 404, 504);
        app.MapGet("/nodes/{node}/events", NodeEvents).WithTags("nodes").WithName("ListNodeEvents").WithSummary("What happened to the replicas on a node, newest first")
            .WithDescription("The events of every volume whose replica is or was on the node.").WithProblems(400, 504);
        app.MapGet("/nodes/{node}/orphans", Orphans).WithTags("nodes").WithName("ListOrphans").WithSummary("Replica directories on a node that no volume knows")
            .WithDescription("Checked against every volume when asked. Orphans are never deleted by themselves, nor reused by a new volume of the same name.")
            .WithProblems(400, 404, 503, 504);
        app.MapDelete("/nodes/{node}/orphans/{replica}", DeleteOrphan).WithTags("nodes").WithName("DeleteOrphan").WithSummary("Delete an orphan replica directory")
            .WithDescription("Checked again first: a directory some volume lists is never deleted (409).").WithProblems(400, 404, 409, 503, 504);
    }

    private static async Task<Results<Ok<List<OrphanInfo>>, ProblemHttpResult>> Orphans(string node, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(node, "node") is { } why) return Problems.Invalid(why);
        return await asks.Nodes(new NodeProtocol.ListOrphans(node), ct) switch
        {
            NodeProtocol.Orphans o => TypedResults.Ok(o.Replicas.Select(r => new OrphanInfo(r.ReplicaId, r.Node, r.Disk, r.Size, r.VolumeId, r.Why)).ToList()),
            var other => Problems.From(other),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteOrphan(string node, string replica, ActorAsks asks, CancellationToken ct)
    {
        if ((RequestValidation.Name(node, "node") ?? RequestValidation.Name(replica, "replica")) is { } why) return Problems.Invalid(why);
        return await asks.Nodes(new NodeProtocol.DeleteOrphan(node, replica), ct) switch
        {
            NodeProtocol.OrphanDeleted => TypedResults.NoContent(),
            var other => Problems.From(other),
        };
    }

    private static async Task<Results<Ok<List<VolumeRebuildInfo>>, ProblemHttpResult>> Rebuilds(ActorAsks asks, CancellationToken ct)
    {
        var names = await NamesAsync(asks, ct);
        if (names.Problem is { } problem) return problem;
        var answers = await Task.WhenAll(names.Names.Select(n => asks.Volume(new VolumeProtocol.Get(n), ct)));
        return TypedResults.Ok(answers.OfType<VolumeProtocol.VolumeView>().Where(v => v.Rebuild is not null)
            .Select(v => new VolumeRebuildInfo(v.Name, ContractMapping.ToInfo(v.Rebuild!))).OrderBy(r => r.Volume, StringComparer.Ordinal).ToList());
    }

    private static async Task<Results<Ok<List<EventInfo>>, ProblemHttpResult>> VolumeEvents(string name, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(name, "volume") is { } why) return Problems.Invalid(why);
        return await asks.Volume(new VolumeProtocol.ListHistory(name), ct) switch
        {
            VolumeProtocol.History h => TypedResults.Ok(NewestFirst(h)),
            var other => Problems.From(other),
        };
    }

    private static async Task<Results<Ok<List<EventInfo>>, ProblemHttpResult>> NodeEvents(string node, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(node, "node") is { } why) return Problems.Invalid(why);
        var names = await NamesAsync(asks, ct);
        if (names.Problem is { } problem) return problem;
        var answers = await Task.WhenAll(names.Names.Select(n => asks.Volume(new VolumeProtocol.ListHistory(n), ct)));
        return TypedResults.Ok(answers.OfType<VolumeProtocol.History>().SelectMany(NewestFirst).Where(e => e.Node == node)
            .OrderByDescending(e => e.At).ToList());
    }

    private static List<EventInfo> NewestFirst(VolumeProtocol.History h) =>
        h.Entries.Reverse().Select(e => new EventInfo(e.At, h.Volume, e.Kind, e.Replica, e.Node, e.Detail)).ToList();

    private static async Task<(IReadOnlyList<string> Names, ProblemHttpResult? Problem)> NamesAsync(ActorAsks asks, CancellationToken ct)
    {
        var answer = await asks.Registry(new RegistryProtocol.ListVolumes(), ct);
        return answer is RegistryProtocol.VolumeNames names ? (names.Names, null) : ([], Problems.From(answer));
    }
}
