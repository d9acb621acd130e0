using ActorStore.Blocks.Chain;
using ActorStore.Blocks.Devices;

namespace ActorStore.Blocks;

// Opening a replica's files: what an interrupted operation left is removed, the layers are loaded, and the current
// chain is numbered and indexed from the layers' extent maps.
public sealed partial class Replica
{
    private static bool IsOurs(string file) =>
        ReplicaFiles.IsLayerFile(file) || ReplicaFiles.IsStaged(file) || file == ReplicaFiles.DirtyLog || file == ReplicaFiles.AbsentLog || file.EndsWith(MetaFile.TempSuffix, StringComparison.Ordinal);

    /// <summary>Deletes temp files and layer files volume.meta does not list: what an interrupted operation left.</summary>
    private static void RemoveLeftovers(IFileSystem fs, string directory, VolumeMeta meta)
    {
        var listed = new HashSet<string>(meta.Snapshots.Append(meta.Head).SelectMany(f => new[] { f, ReplicaFiles.MetaOf(f) }), StringComparer.Ordinal);
        var removed = false;
        foreach (var file in fs.ListFiles(directory))
        {
            if (file.EndsWith(MetaFile.TempSuffix, StringComparison.Ordinal) || file == ReplicaFiles.CreatingMarker || ReplicaFiles.IsStaged(file)
                || (ReplicaFiles.IsLayerFile(file) && !listed.Contains(file)))
            {
                fs.Delete(Path.Combine(directory, file));
                removed = true;
            }
        }
        if (removed) Durably.FsyncDirectory(fs, directory);
    }

    private void LoadLayers()
    {
        foreach (var file in _meta.Snapshots.Append(_meta.Head))
        {
            if (_layers.ContainsKey(file)) throw new ReplicaCorruptException(_dir, $"volume.meta lists {file} twice");
            var meta = MetaFile.Read<LayerMeta>(_fs, PathOf(ReplicaFiles.MetaOf(file)), _dir);
            var isHead = file == _meta.Head;
            if (isHead != (meta.Name is null) || (!isHead && ReplicaFiles.Snapshot(meta.Name!) != file))
                throw new ReplicaCorruptException(_dir, $"{file}.meta does not describe {file}");
            _layers[file] = new Layer(file, meta, _fs.Open(PathOf(file), create: false));
        }
        _head = _layers[_meta.Head];
        foreach (var layer in _layers.Values)
        {
            var steps = 0;
            for (var p = layer.Meta.Parent; p is not null; p = _layers[p].Meta.Parent)
            {
                if (!_layers.TryGetValue(p, out var parent) || parent.IsHead) throw new ReplicaCorruptException(_dir, $"{layer.File} has parent {p}, which is not a snapshot of this replica");
                if (++steps > _layers.Count) throw new ReplicaCorruptException(_dir, $"the parents of {layer.File} form a cycle");
            }
        }
    }

    /// <summary>The layers from the root snapshot to <paramref name="top"/>.</summary>
    private List<Layer> ChainOf(Layer top)
    {
        var chain = new List<Layer>();
        for (var l = top; ; l = _layers[l.Meta.Parent])
        {
            chain.Add(l);
            if (l.Meta.Parent is null) break;
        }
        chain.Reverse();
        return chain;
    }

    /// <summary>Numbers the current chain and rebuilds the read index from its layers' extent maps.</summary>
    private void BuildChain() => AdoptChain(ReadChain(_head));

    /// <summary>The chain under <paramref name="head"/> and its read index, read from the layers' extent maps; changes nothing.</summary>
    private (List<Layer> Chain, ReadIndex Index) ReadChain(Layer head)
    {
        var chain = ChainOf(head);
        if (chain.Count >= _byId.Length) throw new ReplicaCorruptException(_dir, $"the chain has {chain.Count} layers; at most {_byId.Length - 1} can be addressed");
        return (chain, BuildIndex(chain, _meta.Size));
    }

    /// <summary>Numbers the chain and installs its index: no I/O, so it cannot fail halfway.</summary>
    private void AdoptChain((List<Layer> Chain, ReadIndex Index) read)
    {
        var (chain, index) = read;
        Array.Clear(_byId);
        foreach (var layer in _layers.Values) layer.Id = 0;
        for (var i = 0; i < chain.Count; i++)
        {
            chain[i].Id = (byte)(i + 1);
            _byId[i + 1] = chain[i];
        }
        _index = index;
    }

    /// <summary>A read index over <paramref name="chain"/> (root first) in which layer i has id i + 1.</summary>
    private static ReadIndex BuildIndex(List<Layer> chain, long size)
    {
        var index = new ReadIndex(BlockSize.BlocksIn(size));
        var extents = new List<BlockExtent>();
        for (var i = 0; i < chain.Count; i++)
        {
            extents.Clear();
            chain[i].DataExtents(size, extents);
            foreach (var e in extents) index.SetRange(e.Start, Math.Min(e.End, index.Blocks) - e.Start, (byte)(i + 1));
        }
        return index;
    }

    private byte NextFreeId()
    {
        for (var i = 1; i < _byId.Length; i++) if (_byId[i] is null) return (byte)i;
        throw new InvalidOperationException("no free layer id: the snapshot limit should have refused this");
    }
}
