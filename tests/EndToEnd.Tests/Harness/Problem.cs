namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>An RFC 7807 problem detail as the gateway returns it (application/problem+json).</summary>
public sealed record Problem(string? Type, string? Title, int? Status, string? Detail);
