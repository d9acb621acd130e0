namespace ActorStore.Blocks;

/// <summary>The outcome of a replica operation. Expected failures are values; corruption is an exception.</summary>
public enum ReplicaStatus
{
    Ok,
    /// <summary>Offset or length outside the volume, or negative.</summary>
    OutOfRange,
    /// <summary>A size or argument that can never be valid (unaligned size, shrinking expand …).</summary>
    InvalidArgument,
    /// <summary>A name that does not match <c>^[a-z0-9][a-z0-9-]{0,62}$</c>.</summary>
    InvalidName,
    NotFound,
    AlreadyExists,
    /// <summary>The chain already has 250 snapshot layers.</summary>
    TooManySnapshots,
    /// <summary>The snapshot is marked removed: it cannot be the target of a revert, and its name stays taken until it is purged.</summary>
    SnapshotRemoved,
    /// <summary>A request carried an epoch older than the highest this replica has seen (fencing).</summary>
    StaleEpoch,
    /// <summary>ENOSPC: the disk is full. Nothing was changed: a write reserves its space before it writes a byte.</summary>
    NoSpace,
    /// <summary>The directory's file system cannot hold replicas (no extent map or hole punching, e.g. tmpfs).</summary>
    UnsupportedFileSystem,
    /// <summary>An I/O error other than ENOSPC.</summary>
    IoError,
    /// <summary>The replica failed for good (an fsync failed) and must be rebuilt.</summary>
    Failed,
    /// <summary>The replica did not answer within the engine's request timeout (a hung disk or node); the engine gave up on the request. (Last: the data frames carry the number.)</summary>
    TimedOut,
}
