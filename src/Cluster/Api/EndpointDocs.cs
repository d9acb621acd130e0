using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ActorStore.Cluster.Api;

/// <summary>Declares in the OpenAPI document which problem statuses a route can answer (the handlers return IResult unions that cannot say it themselves).</summary>
internal static class EndpointDocs
{
    public static RouteHandlerBuilder WithProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses) builder.ProducesProblem(status);
        return builder.ProducesProblem(StatusCodes.Status500InternalServerError);
    }
}
