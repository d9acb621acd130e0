using ActorStore.Cluster.Api.Contracts;
using ActorStore.Cluster.Protocol;
using ActorStore.Volume.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ActorStore.Cluster.Api;

/// <summary><c>/nodes</c>: asked of the local node directory, which answers for the whole cluster.</summary>
internal static class NodeEndpoints
{

    public static void MapNodeEndpoints(this IEndpointRouteBuilder app)
    {
        var nodes = app.MapGroup("/nodes").WithTags("nodes");
        nodes.MapGet("/", List).WithName("ListNodes").WithSummary("List nodes and their disks").WithProblems(504);
        nodes.MapGet("/{node}", Get).WithName("GetNode").WithSummary("Show a node and its disks").WithProblems(400, 404, 504);
        nodes.MapPost("/{node}/schedule", SetNodeSchedulable).WithName("SetNodeSchedulable").WithSummary("Allow or stop new replicas on a node")
            .WithProblems(400, 404, 503, 504);
        nodes.MapPost("/{node}/evict", Evict).WithName("EvictNode").WithSummary("Move every replica off a node")
            .WithDescription("The node takes no new replicas; each replica on it is rebuilt on another node, then removed, the volume keeping all its replicas meanwhile. Replicas of detached volumes move once the volume is attached.")
            .WithProblems(400, 404, 504);
        nodes.MapPost("/{node}/disks", AddDisk).WithName("AddDisk").WithSummary("Add a disk (a directory) to a node")
            .WithDescription("Path is an absolute directory on that node, on a local disk file system (not /proc, /sys, tmpfs or a network file system); it must exist unless create is true. Name defaults to one the node picks.")
            .WithProblems(400, 404, 409, 503, 504);
        nodes.MapDelete("/{node}/disks/{disk}", RemoveDisk).WithName("RemoveDisk").WithSummary("Remove a disk from a node")
            .WithDescription("Refused while the disk holds replicas.").WithProblems(400, 404, 409, 503, 504);
        nodes.MapPost("/{node}/disks/{disk}/schedule", SetDiskSchedulable).WithName("SetDiskSchedulable").WithSummary("Allow or stop new replicas on a disk")
            .WithProblems(400, 404, 503, 504);
        nodes.MapPost("/{node}/disks/{disk}/evict", EvictDisk).WithName("EvictDisk").WithSummary("Move every replica off a disk")
            .WithDescription("As node eviction, for one disk: it takes no new replicas and its replicas move to other nodes.").WithProblems(400, 404, 504);
    }

    private static async Task<Results<Ok<List<NodeInfo>>, ProblemHttpResult>> List(ActorAsks asks, CancellationToken ct) =>
        await asks.Nodes(new NodeProtocol.ListNodes(), ct) switch
        {
            NodeProtocol.NodeList l => TypedResults.Ok(l.Nodes.Select(ContractMapping.ToInfo).ToList()),
            var other => Problems.From(other),
        };

    private static Task<Results<Ok<NodeInfo>, ProblemHttpResult>> Get(string node, ActorAsks asks, CancellationToken ct) =>
        AskForNodeAsync(node, new NodeProtocol.GetNode(node), asks, ct);

    private static Task<Results<Ok<NodeInfo>, ProblemHttpResult>> SetNodeSchedulable(string node, SetSchedulable body, ActorAsks asks, CancellationToken ct) =>
        AskForNodeAsync(node, new NodeProtocol.SetNodeSchedulable(node, body.Schedulable), asks, ct);

    private static async Task<Results<Created<DiskInfo>, ProblemHttpResult>> AddDisk(string node, AddDisk body, ActorAsks asks, CancellationToken ct)
    {
        var why = RequestValidation.Name(node, "node") ?? RequestValidation.DiskPath(body.Path)
            ?? (body.Name is null ? null : RequestValidation.Name(body.Name, "disk"));
        if (why is not null) return Problems.Invalid(why);
        return await asks.Nodes(new NodeProtocol.AddDisk(node, body.Path, body.Name, body.Schedulable, body.Create), ct) switch
        {
            NodeProtocol.DiskView d => TypedResults.Created($"/nodes/{node}/disks/{d.Name}", ContractMapping.ToInfo(d)),
            var other => Problems.From(other),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveDisk(string node, string disk, ActorAsks asks, CancellationToken ct)
    {
        if ((RequestValidation.Name(node, "node") ?? RequestValidation.Name(disk, "disk")) is { } why) return Problems.Invalid(why);
        return await asks.Nodes(new NodeProtocol.RemoveDisk(node, disk), ct) switch
        {
            NodeProtocol.DiskRemoved => TypedResults.NoContent(),
            var other => Problems.From(other),
        };
    }

    private static async Task<Results<Ok<DiskInfo>, ProblemHttpResult>> SetDiskSchedulable(
        string node, string disk, SetSchedulable body, ActorAsks asks, CancellationToken ct)
    {
        if ((RequestValidation.Name(node, "node") ?? RequestValidation.Name(disk, "disk")) is { } why) return Problems.Invalid(why);
        return await asks.Nodes(new NodeProtocol.SetDiskSchedulable(node, disk, body.Schedulable), ct) switch
        {
            NodeProtocol.DiskView d => TypedResults.Ok(ContractMapping.ToInfo(d)),
            var other => Problems.From(other),
        };
    }

    private static Task<Results<Ok<EvictionInfo>, ProblemHttpResult>> Evict(string node, ActorAsks asks, CancellationToken ct) =>
        EvictAsync(node, null, asks, ct);

    private static Task<Results<Ok<EvictionInfo>, ProblemHttpResult>> EvictDisk(string node, string disk, ActorAsks asks, CancellationToken ct) =>
        EvictAsync(node, disk, asks, ct);

    /// <summary>No new replicas there from now on; then every volume is told to move its replicas off (DESIGN §5).</summary>
    private static async Task<Results<Ok<EvictionInfo>, ProblemHttpResult>> EvictAsync(string node, string? disk, ActorAsks asks, CancellationToken ct)
    {
        if ((RequestValidation.Name(node, "node") ?? (disk is null ? null : RequestValidation.Name(disk, "disk"))) is { } why) return Problems.Invalid(why);
        var closed = await asks.Nodes(disk is null ? new NodeProtocol.SetNodeSchedulable(node, false) : new NodeProtocol.SetDiskSchedulable(node, disk, false), ct);
        if (closed is not (NodeProtocol.NodeView or NodeProtocol.DiskView)) return Problems.From(closed);
        var listed = await asks.Registry(new RegistryProtocol.ListVolumes(), ct);
        if (listed is not RegistryProtocol.VolumeNames names) return Problems.From(listed);
        var answers = await Task.WhenAll(names.Names.Select(n => asks.Volume(new VolumeProtocol.EvictReplicas(n, node, disk), ct)));
        if (answers.FirstOrDefault(a => a is not (VolumeProtocol.EvictionAccepted or VolumeProtocol.Refused { Error: VolumeError.NotFound })) is { } failed)
            return Problems.From(failed);
        var accepted = answers.OfType<VolumeProtocol.EvictionAccepted>().Where(a => a.Replicas > 0).ToArray();
        return TypedResults.Ok(new EvictionInfo(node, disk, accepted.Sum(a => a.Replicas),
            accepted.Select(a => a.Volume).Order(StringComparer.Ordinal).ToList(),
            accepted.Where(a => !a.Attached).Select(a => a.Volume).Order(StringComparer.Ordinal).ToList()));
    }

    private static async Task<Results<Ok<NodeInfo>, ProblemHttpResult>> AskForNodeAsync(string node, object command, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(node, "node") is { } why) return Problems.Invalid(why);
        return await asks.Nodes(command, ct) switch
        {
            NodeProtocol.NodeView n => TypedResults.Ok(ContractMapping.ToInfo(n)),
            var other => Problems.From(other),
        };
    }
}
