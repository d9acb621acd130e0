namespace ActorStore.Cli.Output;

/// <summary>How <see cref="ProgressView"/> shows progress: bars redrawn in place, plain lines, or JSON lines.</summary>
public enum ProgressStyle
{
    /// <summary>A terminal: one bar per rebuild, redrawn in place with ANSI cursor movement.</summary>
    Bars,

    /// <summary>Not a terminal (a log, a pipe): a line per rebuild at most every 5 s or 10% step.</summary>
    Lines,

    /// <summary>--json: one object per poll, one per line.</summary>
    JsonLines,
}
