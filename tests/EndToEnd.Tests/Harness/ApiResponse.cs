using System.Net;

namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>What a raw gateway call returned: status, body, and the problem detail when it is one.</summary>
public sealed record ApiResponse(HttpStatusCode Status, string? ContentType, string Body, Problem? Problem)
{
    public override string ToString() => $"{(int)Status} {Status} ({ContentType}): {Body}";
}
