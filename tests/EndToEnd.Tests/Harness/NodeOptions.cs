namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>How a test wants its node started (the command-line flags of DESIGN §1 that tests vary).</summary>
public sealed record NodeOptions
{
    public string NodeId { get; init; } = "node-1";

    /// <summary>Reach even local replicas through their TCP data endpoint (the path a cluster depends on).</summary>
    public bool ForceSocket { get; init; }

    /// <summary>Null: the node's default (SQLite in its data directory).</summary>
    public string? Journal { get; init; }

    public string? JournalConnection { get; init; }

    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>Anything else the test needs to pass through verbatim.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>The first start persists to a fresh SQLite file, which takes seconds (DESIGN §6).</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
