using ActorStore.Cluster.Api.Contracts;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ActorStore.Cluster.Api;

/// <summary>
/// <c>/cluster</c>: read from this node's view of Akka.Cluster membership (no Ask needed). A member's
/// node id is its <c>node:ID</c> role; a member without one (not an ActorStore node) shows its address.
/// </summary>
internal static class ClusterEndpoints
{
    public const string NodeRolePrefix = "node:";

    public static void MapClusterEndpoints(this IEndpointRouteBuilder app)
    {
        var cluster = app.MapGroup("/cluster").WithTags("cluster");
        cluster.MapGet("/", Show).WithName("ShowCluster").WithSummary("Show cluster membership as this node sees it");
        cluster.MapPost("/members/{node}/leave", Leave).WithName("LeaveCluster").WithSummary("Ask a node to leave the cluster gracefully")
            .WithDescription("Accepted (202) once the request is gossiped; the node hands over its shards and stops. Refused (409) while the node holds replicas: evict it first.")
            .Produces(202).WithProblems(400, 404, 409, 504);
        cluster.MapPost("/members/{node}/down", Down).WithName("DownNode").WithSummary("Mark an unreachable node down")
            .WithDescription("Only for a node that is gone for good: the cluster stops waiting for it and moves its shards.").Produces(202).WithProblems(400, 404);
    }

    private static Ok<ClusterInfo> Show(GatewayTargets targets)
    {
        var state = Akka.Cluster.Cluster.Get(targets.System).State;
        var unreachable = state.Unreachable;
        var members = state.Members
            .Select(m => new MemberInfo(NodeOf(m), m.Address.ToString(), unreachable.Contains(m) ? "unreachable" : m.Status.ToString().ToLowerInvariant(), m.Roles.Order(StringComparer.Ordinal).ToList()))
            .ToList();
        var leader = state.Leader is { } address ? state.Members.FirstOrDefault(m => m.Address == address) : null;
        return TypedResults.Ok(new ClusterInfo(targets.ClusterId, targets.NodeId, leader is null ? state.Leader?.ToString() : NodeOf(leader), members));
    }

    /// <summary>A node that still holds replicas may not leave: its volumes would lose them without a rebuild elsewhere first.</summary>
    private static async Task<Results<Accepted, ProblemHttpResult>> Leave(string node, GatewayTargets targets, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(node, "node") is { } why) return Problems.Invalid(why);
        if (!Akka.Cluster.Cluster.Get(targets.System).State.Members.Any(m => m.HasRole(NodeRolePrefix + node))) return WithMember(node, targets, (_, _) => { });
        var listed = await asks.Registry(new Volume.Protocol.RegistryProtocol.ListVolumes(), ct);
        if (listed is not Volume.Protocol.RegistryProtocol.VolumeNames names) return Problems.From(listed);
        var views = await Task.WhenAll(names.Names.Select(n => asks.Volume(new Volume.Protocol.VolumeProtocol.Get(n), ct)));
        var holding = views.OfType<Volume.Protocol.VolumeProtocol.VolumeView>().Where(v => v.Replicas.Any(r => r.Node == node)).Select(v => v.Name).Order(StringComparer.Ordinal).ToList();
        if (holding.Count > 0)
            return Problems.Of(Volume.Protocol.VolumeError.WrongState,
                $"node '{node}' still holds replicas of {holding.Count} volume(s) ({string.Join(", ", holding.Take(5))}{(holding.Count > 5 ? ", ..." : "")}); evict it first (`pbm node evict {node}`), then leave");
        return WithMember(node, targets, (cluster, address) => cluster.Leave(address));
    }

    private static Results<Accepted, ProblemHttpResult> Down(string node, GatewayTargets targets) =>
        WithMember(node, targets, (cluster, address) => cluster.Down(address));

    private static Results<Accepted, ProblemHttpResult> WithMember(string node, GatewayTargets targets, Action<Akka.Cluster.Cluster, Address> act)
    {
        if (RequestValidation.Name(node, "node") is { } why) return Problems.Invalid(why);
        var cluster = Akka.Cluster.Cluster.Get(targets.System);
        var member = cluster.State.Members.FirstOrDefault(m => m.HasRole(NodeRolePrefix + node));
        if (member is null)
            return Problems.Of(Volume.Protocol.VolumeError.NotFound, $"node '{node}' is not a member of the cluster; GET /cluster lists the members");
        act(cluster, member.Address);
        return TypedResults.Accepted((string?)null);
    }

    private static string NodeOf(Member m) =>
        m.Roles.FirstOrDefault(r => r.StartsWith(NodeRolePrefix, StringComparison.Ordinal)) is { } role ? role[NodeRolePrefix.Length..] : m.Address.ToString();
}
