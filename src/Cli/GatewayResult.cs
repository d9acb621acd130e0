namespace ActorStore.Cli;

/// <summary>
/// What one request came to: a success with its body, a refusal (HTTP 4xx/5xx) with the problem's detail, or
/// no answer at all. <see cref="Error"/> is the one line pbm prints for a failure, without the "pbm: " prefix.
/// </summary>
public sealed record GatewayResult(int ExitCode, int? Status, string Body, string? Error)
{
    public bool IsSuccess => ExitCode == ExitCodes.Ok;

    public static GatewayResult Success(int status, string body) => new(ExitCodes.Ok, status, body, null);

    public static GatewayResult Refused(int status, string detail) =>
        new(ExitCodes.Refused, status, "", $"{detail} (HTTP {status})");

    public static GatewayResult Unreachable(NodeAddress node, string reason) =>
        new(ExitCodes.Unreachable, null, "",
            $"cannot reach the node at {node.Display} ({reason}): is actorstore-node running? set --node or {NodeAddress.EnvironmentVariable}");
}
