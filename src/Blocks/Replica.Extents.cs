using ActorStore.Blocks.Chain;

namespace ActorStore.Blocks;

// What the chain holds: one layer's extents, the merged allocation map (NBD BLOCK_STATUS), the blocks
// that differ between two snapshots (rebuild, incremental backup), and a reader for a snapshot's content.
public sealed partial class Replica
{
    /// <summary>The data extents of one layer: a snapshot, or the head when <paramref name="snapshot"/> is null.</summary>
    public ReplicaStatus GetLayerExtents(string? snapshot, List<BlockExtent> into)
    {
        lock (_control)
        {
            if (FindLayer(snapshot, out var layer) is var status and not ReplicaStatus.Ok) return status;
            return Guarded(() => layer!.DataExtents(_meta.Size, into));
        }
    }

    /// <summary>The data extents of one layer that meet a byte range (each whole, not cut to the range).</summary>
    public ReplicaStatus GetLayerExtents(string? snapshot, long offset, long length, List<BlockExtent> into)
    {
        if (offset < 0 || length < 0) return ReplicaStatus.OutOfRange;
        lock (_control)
        {
            if (FindLayer(snapshot, out var layer) is var status and not ReplicaStatus.Ok) return status;
            var end = Math.Min(offset + length, Math.Min(_meta.Size, layer!.Handle.Length));
            return offset >= end ? ReplicaStatus.Ok : Guarded(() => layer.Handle.GetDataExtents(offset, end - offset, into));
        }
    }

    /// <summary>The merged view of the chain over a byte range: runs of data and of holes (no layer holds them).</summary>
    public ReplicaStatus GetAllocation(long offset, long length, List<AllocationExtent> into)
    {
        if (!InRange(offset, length)) return ReplicaStatus.OutOfRange;
        var gate = EnterIo();
        try
        {
            var end = offset + length;
            var block = BlockSize.BlockOf(offset);
            while (offset < end)
            {
                var run = _index.Run(block, BlockSize.BlocksIn(end) - block, out var layer);
                var next = Math.Min(end, (block + run) << BlockSize.Shift);
                var hole = layer == 0;
                if (into.Count > 0 && into[^1].IsHole == hole && into[^1].Offset + into[^1].Length == offset)
                    into[^1] = into[^1] with { Length = next - into[^1].Offset };
                else into.Add(new AllocationExtent(offset, next - offset, hole));
                offset = next;
                block += run;
            }
            return ReplicaStatus.Ok;
        }
        finally
        {
            _io.ExitShared(gate);
        }
    }

    /// <summary>
    /// Blocks whose content may differ between snapshot <paramref name="from"/> (null: an empty volume) and
    /// snapshot <paramref name="to"/>: every block held by a layer on the path between them through the tree.
    /// Removed snapshots are refused: once pruned, their content is not what it was.
    /// </summary>
    public ReplicaStatus GetChangedBlocks(string? from, string to, List<BlockExtent> into)
    {
        lock (_control)
        {
            if (FindLayer(to, out var toLayer, allowRemoved: false) is var s1 and not ReplicaStatus.Ok) return s1;
            Layer? fromLayer = null;
            if (from is not null && FindLayer(from, out fromLayer, allowRemoved: false) is var s2 and not ReplicaStatus.Ok) return s2;
            var toChain = ChainOf(toLayer!);
            var fromChain = fromLayer is null ? [] : ChainOf(fromLayer);
            var common = 0;
            while (common < toChain.Count && common < fromChain.Count && toChain[common] == fromChain[common]) common++;
            return Guarded(() =>
            {
                var lists = new List<IReadOnlyList<BlockExtent>>();
                foreach (var layer in toChain.Skip(common).Concat(fromChain.Skip(common)))
                {
                    var list = new List<BlockExtent>();
                    layer.DataExtents(_meta.Size, list);
                    lists.Add(list);
                }
                into.AddRange(BlockExtent.Union(lists));
            });
        }
    }

    /// <summary>A reader of a snapshot's content as it was when taken (not of a removed one). It stays valid until the next purge.</summary>
    public ReplicaStatus OpenSnapshot(string name, out SnapshotReader? reader)
    {
        reader = null;
        lock (_control)
        {
            if (FindLayer(name, out var layer, allowRemoved: false) is var status and not ReplicaStatus.Ok) return status;
            var chain = ChainOf(layer!);
            SnapshotReader? made = null;
            var byId = new Layer?[chain.Count + 1];
            for (var i = 0; i < chain.Count; i++) byId[i + 1] = chain[i]; // the ids BuildIndex gives
            var result = Guarded(() => made = new SnapshotReader(this, byId, BuildIndex(chain, layer!.Meta.Size), layer!.Meta.Size, _removals));
            reader = made;
            return result;
        }
    }

    /// <summary>A snapshot reader's read, under the replica's I/O gate, refused once its layers may be gone.</summary>
    internal ReplicaStatus ReadSnapshot(long removals, ReadIndex index, Layer?[] byId, long offset, Span<byte> destination)
    {
        var gate = _io.EnterShared();
        try
        {
            if (removals != _removals || _closing) return ReplicaStatus.NotFound;
            ReadRuns(index, byId, offset, destination, cachedOnly: false);
            return ReplicaStatus.Ok;
        }
        catch (IOException e)
        {
            return Classify(e);
        }
        finally
        {
            _io.ExitShared(gate);
        }
    }

    private ReplicaStatus FindLayer(string? snapshot, out Layer? layer, bool allowRemoved = true)
    {
        layer = null;
        EnsureOpen();
        if (_failed) return ReplicaStatus.Failed;
        if (snapshot is null)
        {
            layer = _head;
            return ReplicaStatus.Ok;
        }
        if (!Names.IsValid(snapshot)) return ReplicaStatus.InvalidName;
        if (!_layers.TryGetValue(ReplicaFiles.Snapshot(snapshot), out layer)) return ReplicaStatus.NotFound;
        // A removed snapshot may already be pruned: its own content is no longer what it was.
        return allowRemoved || !layer.Meta.Removed ? ReplicaStatus.Ok : ReplicaStatus.SnapshotRemoved;
    }

    private ReplicaStatus Guarded(Action action)
    {
        try
        {
            action();
            return ReplicaStatus.Ok;
        }
        catch (IOException e)
        {
            return Classify(e);
        }
    }
}
