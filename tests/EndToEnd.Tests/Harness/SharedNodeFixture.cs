using Xunit;

namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// One node shared by every test in a collection: starting a node costs seconds (the first SQLite persist),
/// and client tests only need a node that serves. Each test makes its own uniquely named volumes, so they do
/// not see each other's data. Crash tests start their own nodes instead.
/// </summary>
public class SharedNodeFixture : IAsyncLifetime
{
    private NodeProcess? _node;

    public NodeProcess Node => _node ?? throw new InvalidOperationException("the shared node did not start; see the first failing test");

    protected virtual NodeOptions Options => new() { NodeId = "shared-1" };

    public async Task InitializeAsync() => _node = await NodeProcess.StartAsync(Options);

    public async Task DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
    }
}

/// <summary>The same, with every replica reached through its TCP data endpoint (<c>--force-socket</c>).</summary>
public sealed class SocketNodeFixture : SharedNodeFixture
{
    protected override NodeOptions Options => new() { NodeId = "socket-1", ForceSocket = true };
}

[CollectionDefinition(Name)]
public sealed class SharedNodeCollection : ICollectionFixture<SharedNodeFixture>
{
    public const string Name = "shared node";
}

[CollectionDefinition(Name)]
public sealed class SocketNodeCollection : ICollectionFixture<SocketNodeFixture>
{
    public const string Name = "shared node, socket path";
}
