using System.Text.Json;
using ActorStore.Cli.Output;

namespace ActorStore.Cli.Commands;

/// <summary>
/// A command's conversation with one node when it asks more than once (--wait polls): each answer is read as a value, or
/// its failure is printed as the one line and kept in <see cref="ExitCode"/>.
/// </summary>
public sealed class Session(GatewayClient client, NodeAddress node, Terminal terminal, bool json)
{
    public Terminal Terminal => terminal;

    /// <summary>--json: print JSON lines, not text.</summary>
    public bool Json => json;

    /// <summary>The exit code of the last failure.</summary>
    public int ExitCode { get; private set; } = ExitCodes.Ok;

    /// <summary>The progress view for this output: bars on a terminal, plain lines elsewhere, JSON lines with --json.</summary>
    public ProgressView Progress() => new(terminal.Out, ProgressView.StyleFor(json, terminal.CanRedraw), terminal.Width);

    /// <summary>The answer to <paramref name="call"/>, or null once its failure is printed (see <see cref="ExitCode"/>).</summary>
    public async Task<T?> AskAsync<T>(Call call, CancellationToken cancellation) where T : class
    {
        var result = await client.SendAsync(call, cancellation);
        if (!result.IsSuccess) return Fail<T>(result.ExitCode, result.Error ?? "the request failed");
        string reason;
        try
        {
            if (JsonSerializer.Deserialize<T>(result.Body, Cli.Json.Options) is { } value) return value;
            reason = "the answer is empty";
        }
        catch (JsonException e)
        {
            reason = e.Message;
        }

        return Fail<T>(ExitCodes.Refused, Unreadable(node, reason));
    }

    /// <summary>The line for an answer pbm cannot read.</summary>
    public static string Unreadable(NodeAddress node, string reason) =>
        $"the node at {node.Display} sent an answer pbm cannot read ({reason}); is it the same version?";

    private T? Fail<T>(int exitCode, string line) where T : class
    {
        terminal.Fail(line);
        ExitCode = exitCode;
        return null;
    }
}
