namespace ActorStore.Cluster.Api;

/// <summary>Where the gateway listens (DESIGN §1: port 9500 by default; port 0 picks a free one), and its token.</summary>
/// <param name="Host">An IP address (<c>127.0.0.1</c>, <c>0.0.0.0</c>, <c>::</c>); loopback by default.</param>
/// <param name="Port">TCP port, 0 for any free port.</param>
/// <param name="Token">When set, every request must carry <c>Authorization: Bearer TOKEN</c> (<see cref="BearerToken"/>).</param>
public sealed record GatewayOptions(string Host = "127.0.0.1", int Port = 9500, string? Token = null);
