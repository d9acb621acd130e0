namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>The node misbehaved as a process (no ready line, no exit); carries its output so the report says why.</summary>
public sealed class NodeFailedException(string message, OutputBuffer output, Exception? inner = null)
    : Exception($"{message}\n--- node output ---\n{output}\n--- end of node output ---", inner);
