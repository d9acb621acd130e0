using System.Diagnostics;
using System.Text;

namespace ActorStore.Tests.Shared;

/// <summary>A started external process. Dispose kills it (and its children) by PID if it still runs.</summary>
public sealed class RunningTool : IAsyncDisposable
{
    private readonly StringBuilder _stdout;
    private readonly StringBuilder _stderr;

    internal RunningTool(string commandLine, Process process, StringBuilder stdout, StringBuilder stderr)
    {
        CommandLine = commandLine;
        Process = process;
        _stdout = stdout;
        _stderr = stderr;
    }

    public string CommandLine { get; }

    public Process Process { get; }

    public bool HasExited => Process.HasExited;

    public string StdOut
    {
        get { lock (_stdout) return _stdout.ToString(); }
    }

    public string StdErr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>Waits for the exit; past the timeout the process is killed and the test fails.</summary>
    public async Task<ToolResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"'{CommandLine}' did not finish within {timeout.TotalSeconds} s and was killed.\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}");
        }
        // The parameterless wait drains the asynchronous output readers after the exit.
        Process.WaitForExit();
        return new ToolResult(CommandLine, Process.ExitCode, StdOut, StdErr);
    }

    public void Kill()
    {
        try
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Reported by the test that owns it; disposing must not throw over the real failure.
        }
        Process.Dispose();
    }
}
