using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// Base of the test classes: remembers where each node's output stood when the test began and writes what
/// the node printed since into the test's output, which the runner shows for a failed test.
/// </summary>
public abstract class NodeTest(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<(NodeProcess Node, int Mark)> _watched = [];
    private readonly List<IAsyncDisposable> _owned = [];

    protected ITestOutputHelper Out { get; } = output;

    /// <summary>Include this node's output (from now on) in the test's report.</summary>
    protected NodeProcess Watch(NodeProcess node)
    {
        _watched.Add((node, node.Output.Count));
        return node;
    }

    /// <summary>A node owned by this test: watched, and killed when the test ends.</summary>
    protected async Task<NodeProcess> StartNodeAsync(NodeOptions? options = null)
    {
        var node = await NodeProcess.StartAsync(options);
        _owned.Add(node);
        return Watch(node);
    }

    protected T Own<T>(T disposable) where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var (node, mark) in _watched)
        {
            foreach (var line in node.Output.Since(mark)) Out.WriteLine(line);
        }
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
    }
}
