namespace ActorStore.Tests.Shared;

/// <summary>How an external tool ended and what it printed.</summary>
public sealed record ToolResult(string CommandLine, int ExitCode, string StdOut, string StdErr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Fails the test with the command and its output when the tool did not exit 0.</summary>
    public ToolResult EnsureSuccess()
    {
        if (ExitCode != 0) throw new ToolFailedException(this);
        return this;
    }

    public override string ToString() => $"$ {CommandLine}\nexit {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}
