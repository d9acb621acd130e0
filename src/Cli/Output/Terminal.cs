using Spectre.Console;
using Spectre.Console.Rendering;

namespace ActorStore.Cli.Output;

/// <summary>
/// Where pbm writes: results to stdout (tables through Spectre.Console), failures as one line to stderr.
/// Colours and terminal width only when stdout is a real terminal; redirected output is plain and not wrapped.
/// </summary>
public sealed class Terminal
{
    private const int RedirectedWidth = 240;
    private readonly IAnsiConsole _console;

    public Terminal(TextWriter output, TextWriter error, bool interactive)
    {
        Out = output;
        Error = error;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive) _console.Profile.Width = RedirectedWidth;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public void Write(IRenderable renderable) => _console.Write(renderable);

    public void Line(string text) => Out.WriteLine(text);

    /// <summary>The one line for a failure: "pbm: detail".</summary>
    public void Fail(string message) => Error.WriteLine("pbm: " + message);
}
