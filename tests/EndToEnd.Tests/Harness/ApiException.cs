namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>A typed gateway call got an error; the message carries the status and the problem body.</summary>
public sealed class ApiException(string call, ApiResponse response)
    : Exception($"{call} failed: {response}")
{
    public ApiResponse Response { get; } = response;
}
