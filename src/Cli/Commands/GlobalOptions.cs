using System.CommandLine;
using System.CommandLine.Parsing;

namespace ActorStore.Cli.Commands;

/// <summary>--node, --token, --json and --timeout: accepted by every command, before or after it.</summary>
public sealed class GlobalOptions
{
    public const double DefaultTimeoutSeconds = 30;
    private const double MaxTimeoutSeconds = 3600;

    public GlobalOptions(Func<string, string?> environment)
    {
        Environment = environment;
        Node = new Option<NodeAddress>("--node")
        {
            Description = $"The node's gateway, HOST:PORT or http://HOST:PORT (env {NodeAddress.EnvironmentVariable})",
            HelpName = "HOST:PORT",
            Recursive = true,
            CustomParser = result => Parse(result, result.Tokens.Count > 0 ? result.Tokens[^1].Value : null),
            DefaultValueFactory = result => Parse(result, environment(NodeAddress.EnvironmentVariable) is { Length: > 0 } env ? env : NodeAddress.Default),
        };
        Token = new Option<string?>("--token")
        {
            Description = $"The gateway's API token, when it has one (env {TokenVariable})",
            HelpName = "TOKEN",
            Recursive = true,
            DefaultValueFactory = _ => environment(TokenVariable) is { Length: > 0 } env ? env : null,
        };
        Json = new Option<bool>("--json") { Description = "Print the node's JSON answer, for scripts", Recursive = true };
        Timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for each answer from the node",
            HelpName = "SECONDS",
            Recursive = true,
            DefaultValueFactory = _ => DefaultTimeoutSeconds,
        };
        Timeout.Validators.Add(result =>
        {
            var seconds = result.GetValueOrDefault<double>();
            if (!(seconds > 0 && seconds <= MaxTimeoutSeconds))
                result.AddError($"invalid --timeout '{seconds}': expected more than 0 and at most {MaxTimeoutSeconds} seconds");
        });
    }

    public const string TokenVariable = "PBM_TOKEN";

    /// <summary>The environment pbm runs in (for options that take a secret from it).</summary>
    public Func<string, string?> Environment { get; }

    public Option<NodeAddress> Node { get; }

    public Option<string?> Token { get; }

    public Option<bool> Json { get; }

    public Option<double> Timeout { get; }

    public void AddTo(Command root)
    {
        root.Options.Add(Node);
        root.Options.Add(Token);
        root.Options.Add(Json);
        root.Options.Add(Timeout);
    }

    private static NodeAddress Parse(ArgumentResult result, string? text)
    {
        if (NodeAddress.TryParse(text, out var address, out var error)) return address;
        result.AddError(error);
        return address;
    }
}
