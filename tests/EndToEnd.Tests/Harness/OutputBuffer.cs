namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// The lines a child process wrote, kept in memory so a failing test can print them, and so the harness
/// can wait for a particular line (the node's ready line) without racing the reader threads.
/// </summary>
public sealed class OutputBuffer
{
    private readonly List<string> _lines = [];
    private readonly object _gate = new();
    private TaskCompletionSource _changed = NewSignal();

    public int Count
    {
        get { lock (_gate) return _lines.Count; }
    }

    public void Add(string stream, string line)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _lines.Add($"[{DateTime.UtcNow:HH:mm:ss.fff} {stream}] {line}");
            changed = _changed;
            _changed = NewSignal();
        }
        changed.TrySetResult();
    }

    /// <summary>Lines from index <paramref name="from"/> on (used to print only what a test caused).</summary>
    public IReadOnlyList<string> Since(int from)
    {
        lock (_gate) return _lines.Skip(Math.Clamp(from, 0, _lines.Count)).ToList();
    }

    public override string ToString()
    {
        lock (_gate) return string.Join('\n', _lines);
    }

    /// <summary>Completes when a line is added after the call (callers re-check their condition then).</summary>
    public Task Changed()
    {
        lock (_gate) return _changed.Task;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
