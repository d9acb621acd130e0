namespace ActorStore.Blocks;

/// <summary>Plain options for the replica store; src/Blocks never reads HOCON.</summary>
public sealed record ReplicaOptions
{
    /// <summary>Largest volume a replica accepts (the NBD and index limits are far beyond; this catches typos).</summary>
    public long MaxSize { get; init; } = 64L << 40;

    /// <summary>Snapshot layers, user and system together (DESIGN §4): 1 to 250, since the read index names a layer with a byte.</summary>
    public int MaxSnapshots
    {
        get => _maxSnapshots;
        init => _maxSnapshots = value is >= 1 and <= 250 ? value : throw new ArgumentOutOfRangeException(nameof(MaxSnapshots), value, "between 1 and 250");
    }

    private readonly int _maxSnapshots = 250;
}
