namespace ActorStore.Tests.Shared;

/// <summary>An external tool exited non-zero where the test needed it to succeed.</summary>
public sealed class ToolFailedException(ToolResult result) : Exception($"tool failed:\n{result}")
{
    public ToolResult Result { get; } = result;
}
