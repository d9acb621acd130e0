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

    /// <summary>
    /// How many 4 MiB regions may stay marked in the dirty-region log before flushes start clearing idle
    /// ones (DRBD's al-extents). More means fewer marks (one fdatasync each) under wide random writes, and
    /// more to copy between replicas after an unclean stop. Default 1024: 4 GiB.
    /// </summary>
    public int DirtyRegionBudget
    {
        get => _dirtyRegionBudget;
        init => _dirtyRegionBudget = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(DirtyRegionBudget), value, "0 or more");
    }

    private readonly int _dirtyRegionBudget = 1024;
}
