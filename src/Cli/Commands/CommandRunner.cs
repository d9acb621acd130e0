using System.CommandLine;
using System.Text.Json;
using ActorStore.Cli.Output;

namespace ActorStore.Cli.Commands;

/// <summary>
/// Runs a command's one request and decides what is printed: the JSON body with --json, else the command's own
/// rendering; a failure is one line on stderr and its exit code. The only place results become exit codes.
/// </summary>
public sealed class CommandRunner(GlobalOptions globals, Terminal terminal)
{
    /// <summary>An action whose answer is a <typeparamref name="T"/> for <paramref name="render"/>.</summary>
    public Func<ParseResult, CancellationToken, Task<int>> Show<T>(Func<ParseResult, Call> call, Action<ParseResult, T, Terminal> render) =>
        (parse, cancellation) => RunAsync(parse, call(parse), body =>
        {
            T? value;
            try
            {
                value = JsonSerializer.Deserialize<T>(body, Json.Options);
            }
            catch (JsonException e)
            {
                return Unreadable(parse, e.Message);
            }

            if (value is null) return Unreadable(parse, "the answer is empty");
            render(parse, value, terminal);
            return ExitCodes.Ok;
        }, cancellation);

    /// <summary>An action whose answer has no body pbm needs (202, 204).</summary>
    public Func<ParseResult, CancellationToken, Task<int>> Do(Func<ParseResult, Call> call, Action<ParseResult, Terminal> render) =>
        (parse, cancellation) => RunAsync(parse, call(parse), _ =>
        {
            render(parse, terminal);
            return ExitCodes.Ok;
        }, cancellation);

    /// <summary>An action that asks the node as often as it needs (--wait), through one <see cref="Session"/>.</summary>
    public Func<ParseResult, CancellationToken, Task<int>> Converse(Func<ParseResult, Session, CancellationToken, Task<int>> run) =>
        async (parse, cancellation) =>
        {
            var node = parse.GetRequiredValue(globals.Node);
            using var client = new GatewayClient(node, TimeSpan.FromSeconds(parse.GetValue(globals.Timeout)), parse.GetValue(globals.Token));
            return await run(parse, new Session(client, node, terminal, parse.GetValue(globals.Json)), cancellation);
        };

    private async Task<int> RunAsync(ParseResult parse, Call call, Func<string, int> render, CancellationToken cancellation)
    {
        var node = parse.GetRequiredValue(globals.Node);
        using var client = new GatewayClient(node, TimeSpan.FromSeconds(parse.GetValue(globals.Timeout)), parse.GetValue(globals.Token));
        var result = await client.SendAsync(call, cancellation);
        if (!result.IsSuccess)
        {
            terminal.Fail(result.Error ?? "the request failed");
            return result.ExitCode;
        }

        if (!parse.GetValue(globals.Json)) return render(result.Body);
        var json = Json.Indent(result.Body);
        if (json.Length > 0) terminal.Line(json);
        return ExitCodes.Ok;
    }

    private int Unreadable(ParseResult parse, string reason)
    {
        terminal.Fail(Session.Unreadable(parse.GetRequiredValue(globals.Node), reason));
        return ExitCodes.Refused;
    }
}
