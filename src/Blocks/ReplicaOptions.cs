namespace ActorStore.Blocks;

/// <summary>Plain options for the replica store; src/Blocks never reads HOCON.</summary>
public sealed record ReplicaOptions
{
    /// <summary>Largest volume a replica accepts (the NBD and index limits are far beyond; this catches typos).</summary>
    public long MaxSize { get; init; } = 64L << 40;

    /// <summary>Snapshot layers, user and system together (DESIGN §4).</summary>
    public int MaxSnapshots { get; init; } = 250;
}
