using ActorStore.Blocks;

namespace ActorStore.Volume.Protocol;

/// <summary>
/// A replica's answer as control messages carry it: the wire's own words, so that the replica store's
/// <see cref="ReplicaStatus"/> can change without changing what crosses between nodes. Converted in one place.
/// </summary>
public enum ReplicaOutcome
{
    Ok,
    OutOfRange,
    InvalidArgument,
    InvalidName,
    NotFound,
    AlreadyExists,
    TooManySnapshots,
    SnapshotRemoved,
    StaleEpoch,
    NoSpace,
    UnsupportedFileSystem,
    IoError,
    Failed,
    TimedOut,
    /// <summary>The node is at its limit of concurrent rebuilds: nothing was done; ask again later.</summary>
    Busy,
}

/// <summary>The one conversion between the store's statuses and the wire's outcomes, and the wire's regions.</summary>
public static class ReplicaOutcomes
{
    public static ReplicaOutcome ToOutcome(this ReplicaStatus status) => status switch
    {
        ReplicaStatus.Ok => ReplicaOutcome.Ok,
        ReplicaStatus.OutOfRange => ReplicaOutcome.OutOfRange,
        ReplicaStatus.InvalidArgument => ReplicaOutcome.InvalidArgument,
        ReplicaStatus.InvalidName => ReplicaOutcome.InvalidName,
        ReplicaStatus.NotFound => ReplicaOutcome.NotFound,
        ReplicaStatus.AlreadyExists => ReplicaOutcome.AlreadyExists,
        ReplicaStatus.TooManySnapshots => ReplicaOutcome.TooManySnapshots,
        ReplicaStatus.SnapshotRemoved => ReplicaOutcome.SnapshotRemoved,
        ReplicaStatus.StaleEpoch => ReplicaOutcome.StaleEpoch,
        ReplicaStatus.NoSpace => ReplicaOutcome.NoSpace,
        ReplicaStatus.UnsupportedFileSystem => ReplicaOutcome.UnsupportedFileSystem,
        ReplicaStatus.Failed => ReplicaOutcome.Failed,
        ReplicaStatus.TimedOut => ReplicaOutcome.TimedOut,
        _ => ReplicaOutcome.IoError,
    };

    public static ReplicaStatus ToStatus(this ReplicaOutcome outcome) => outcome switch
    {
        ReplicaOutcome.Ok => ReplicaStatus.Ok,
        ReplicaOutcome.OutOfRange => ReplicaStatus.OutOfRange,
        ReplicaOutcome.InvalidArgument => ReplicaStatus.InvalidArgument,
        ReplicaOutcome.InvalidName => ReplicaStatus.InvalidName,
        ReplicaOutcome.NotFound => ReplicaStatus.NotFound,
        ReplicaOutcome.AlreadyExists => ReplicaStatus.AlreadyExists,
        ReplicaOutcome.TooManySnapshots => ReplicaStatus.TooManySnapshots,
        ReplicaOutcome.SnapshotRemoved => ReplicaStatus.SnapshotRemoved,
        ReplicaOutcome.StaleEpoch => ReplicaStatus.StaleEpoch,
        ReplicaOutcome.NoSpace => ReplicaStatus.NoSpace,
        ReplicaOutcome.UnsupportedFileSystem => ReplicaStatus.UnsupportedFileSystem,
        ReplicaOutcome.Failed => ReplicaStatus.Failed,
        ReplicaOutcome.TimedOut => ReplicaStatus.TimedOut,
        _ => ReplicaStatus.IoError,
    };

    public static Region ToRegion(this BlockExtent e) => new(e.Offset, e.Length);

    public static BlockExtent ToExtent(this Region r) => new(r.Offset / BlockSize.Bytes, r.Length / BlockSize.Bytes);
}

/// <summary>A byte range of a volume, block-aligned, as control messages carry it.</summary>
public sealed record Region(long Offset, long Length);
