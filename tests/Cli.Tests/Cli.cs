namespace ActorStore.Cli.Tests;

/// <summary>Runs pbm in-process, as a script would see it: exit code, stdout, stderr.</summary>
public static class Cli
{
    public sealed record Outcome(int ExitCode, string Out, string Err)
    {
        public string[] ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Err}";
    }

    public static async Task<Outcome> RunAsync(string commandLine, Func<string, string?>? environment = null) =>
        await RunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries), environment);

    public static async Task<Outcome> RunAsync(string[] args, Func<string, string?>? environment = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var stuck = new CancellationTokenSource(TimeSpan.FromMinutes(1)); // a --wait that never ends fails the test, not the run
        var code = await Pbm.RunAsync(args, stdout, stderr, environment ?? (_ => null), stuck.Token);
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }
}
