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
    private readonly bool _interactive;

    public Terminal(TextWriter output, TextWriter error, bool interactive)
    {
        Out = output;
        Error = error;
        _interactive = interactive;
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

    /// <summary>Stdout is a terminal that understands ANSI escapes, so progress may be redrawn in place.</summary>
    public bool CanRedraw => _interactive && _console.Profile.Capabilities.Ansi;

    /// <summary>Columns of the terminal (a fixed width when redirected).</summary>
    public int Width => _console.Profile.Width;

    public void Write(IRenderable renderable) => _console.Write(renderable);

    public void Line(string text) => Out.WriteLine(text);

    /// <summary>The one line for a failure: "pbm: detail".</summary>
    public void Fail(string message) => Error.WriteLine("pbm: " + message);
}
