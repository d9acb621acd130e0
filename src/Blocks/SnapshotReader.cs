using ActorStore.Blocks.Chain;

namespace ActorStore.Blocks;

/// <summary>Reads one snapshot's content through its own read index (the snapshot need not be on the current chain).</summary>
public sealed class SnapshotReader
{
    private readonly Replica _replica;
    private readonly Layer?[] _byId;
    private readonly ReadIndex _index;
    private readonly long _removals;

    internal SnapshotReader(Replica replica, Layer?[] byId, ReadIndex index, long size, long removals)
    {
        _replica = replica;
        _byId = byId;
        _index = index;
        Size = size;
        _removals = removals;
    }

    /// <summary>The volume size when the snapshot was taken.</summary>
    public long Size { get; }

    /// <summary>Reads into a buffer; NotFound once a purge has changed the tree since the reader was opened.</summary>
    public ReplicaStatus Read(long offset, Span<byte> destination) =>
        offset < 0 || offset > Size - destination.Length
            ? ReplicaStatus.OutOfRange
            : _replica.ReadSnapshot(_removals, _index, _byId, offset, destination);
}
