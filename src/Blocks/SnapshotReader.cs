using ActorStore.Blocks.Chain;
using ActorStore.Blocks.Devices;

namespace ActorStore.Blocks;

/// <summary>Reads one snapshot's content through its own read index (the snapshot need not be on the current chain).</summary>
public sealed class SnapshotReader
{
    private readonly Replica _replica;
    private readonly IFileHandle[] _layers;
    private readonly ReadIndex _index;
    private readonly long _removals;

    internal SnapshotReader(Replica replica, IFileHandle[] layers, ReadIndex index, long size, long removals)
    {
        _replica = replica;
        _layers = layers;
        _index = index;
        Size = size;
        _removals = removals;
    }

    /// <summary>The volume size when the snapshot was taken.</summary>
    public long Size { get; }

    /// <summary>Reads into a buffer; NotFound once a purge or revert has changed the tree since the reader was opened.</summary>
    public ReplicaStatus Read(long offset, Memory<byte> destination)
    {
        if (offset < 0 || offset > Size - destination.Length) return ReplicaStatus.OutOfRange;
        return _replica.ReadForSnapshot(_removals, () =>
        {
            var span = destination.Span;
            var at = offset;
            var block = BlockSize.BlockOf(at);
            while (!span.IsEmpty)
            {
                var run = _index.Run(block, BlockSize.BlockOf(at + span.Length - 1) - block + 1, out var layer);
                var n = (int)Math.Min(span.Length, ((block + run) << BlockSize.Shift) - at);
                if (layer == 0) span[..n].Clear();
                else _layers[layer - 1].Read(at, span[..n]);
                span = span[n..];
                at += n;
                block += run;
            }
            return ReplicaStatus.Ok;
        });
    }
}
