using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using ActorStore.Cli.Commands;
using ActorStore.Cli.Output;

namespace ActorStore.Cli;

/// <summary>pbm's entry: parse, then run one command against one node. Tests call <see cref="RunAsync"/> in-process.</summary>
public static class Pbm
{
    /// <summary>Runs pbm with <paramref name="args"/>; returns the exit code (<see cref="ExitCodes"/>).</summary>
    /// <param name="environment">Reads environment variables (PBM_NODE); the process environment if null.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        Func<string, string?>? environment = null, CancellationToken cancellation = default)
    {
        var terminal = new Terminal(stdout, stderr, interactive: ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected);
        var parse = Parse(args, terminal, environment);
        if (parse.Action is ParseErrorAction)
        {
            var problem = parse.UnmatchedTokens.Count > 0
                ? $"unknown command or argument '{parse.UnmatchedTokens[0]}'"
                : parse.Errors[0].Message.TrimEnd('.');
            terminal.Fail($"{problem} (see '{CommandPath(parse)} --help')");
            return ExitCodes.Usage;
        }

        try
        {
            var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
            return await parse.InvokeAsync(configuration, cancellation);
        }
        catch (OperationCanceledException)
        {
            terminal.Fail("cancelled");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A CLI's last line of defence: a bug still ends in one line and an exit code, never a stack trace.
            terminal.Fail($"unexpected error: {e.Message}");
            return ExitCodes.Refused;
        }
    }

    /// <summary>Parses <paramref name="args"/> as <see cref="RunAsync"/> does, without running anything.</summary>
    public static ParseResult Parse(string[] args, Func<string, string?>? environment = null) =>
        Parse(args, new Terminal(TextWriter.Null, TextWriter.Null, interactive: false), environment);

    private static ParseResult Parse(string[] args, Terminal terminal, Func<string, string?>? environment)
    {
        var globals = new GlobalOptions(environment ?? Environment.GetEnvironmentVariable);
        return BuildRoot(globals, new CommandRunner(globals, terminal)).Parse(args);
    }

    private static RootCommand BuildRoot(GlobalOptions globals, CommandRunner run)
    {
        var root = new RootCommand("pbm: operate an ActorStore cluster through a node's REST gateway")
        {
            ClusterCommands.Create(run),
            VolumeCommands.Create(run),
            SnapshotCommands.Create(run),
            NodeCommands.Create(run),
            BackupCommands.Create(run, globals),
            JobCommands.Create(run),
        };
        globals.AddTo(root);
        return root;
    }

    /// <summary>"pbm volume create" for the command the parse stopped in (the root's own name is the executable's).</summary>
    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is CommandResult parent; result = parent) names.Insert(0, result.Command.Name);
        return string.Join(' ', ["pbm", .. names]);
    }
}
