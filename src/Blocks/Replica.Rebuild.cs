using System.Buffers;
using ActorStore.Blocks.Chain;
using ActorStore.Blocks.Devices;

namespace ActorStore.Blocks;

// Rebuilding a replica from a healthy one (DESIGN §5). The new replica is Rebuilding: it takes the live
// writes into its head while the copier reads each snapshot layer of the source (ReadLayer, only its
// extents) and writes it into a staged file here. A staged layer is checked against the digest the copier
// took of what it read, then all staged layers are installed at once, under the head, replacing any layer
// of the same name (the snapshot the rebuild took holds here only the writes since the replica joined; the
// source's copy holds those and everything before). Layers not staged (snapshots taken during the copy)
// stay as they are. A staged file is never read before it is installed, and a crash forgets it.
public sealed partial class Replica
{
    private readonly Dictionary<string, (SnapshotInfo Info, IFileHandle Handle)> _staged = new(StringComparer.Ordinal);

    /// <summary>Reads a snapshot layer's own bytes (not the merged view); blocks it does not hold read as zeros.</summary>
    public ReplicaStatus ReadLayer(string snapshot, long offset, Span<byte> destination)
    {
        var gate = EnterIo();
        try
        {
            // Under the I/O gate the tree holds still: every change to it drains I/O first.
            if (FindLayer(snapshot, out var layer) is var status and not ReplicaStatus.Ok) return status;
            if (offset < 0 || offset > layer!.Meta.Size - destination.Length) return ReplicaStatus.OutOfRange;
            ReadThrough(layer.Handle, offset, destination);
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

    /// <summary>
    /// Starts the staged copy of snapshot <paramref name="info"/>: an empty file of its size. Staging a layer
    /// again starts it over (the copier switched to another source in the middle of it). With <paramref name="keep"/>
    /// a layer already staged (a catch-up's old head, see <see cref="BeginCatchUp"/>) keeps its bytes and takes
    /// <paramref name="info"/> as its metadata.
    /// </summary>
    public ReplicaStatus StageLayer(SnapshotInfo info, bool keep = false)
    {
        if (!Names.IsValid(info.Name) || (info.Parent is not null && !Names.IsValid(info.Parent))) return ReplicaStatus.InvalidName;
        if (info.Size <= 0 || info.Size > _options.MaxSize || !BlockSize.IsAligned(info.Size)) return ReplicaStatus.InvalidArgument;
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            if (!_meta.Rebuilding) return ReplicaStatus.InvalidArgument;
            if (keep)
            {
                if (!_staged.TryGetValue(info.Name, out var kept)) return ReplicaStatus.NotFound;
                if (kept.Info.Size != info.Size) return ReplicaStatus.InvalidArgument;
                _staged[info.Name] = (info, kept.Handle);
                return ReplicaStatus.Ok;
            }
            DropStaged(info.Name);
            var file = ReplicaFiles.Staged(info.Name);
            try
            {
                MetaFile.TryDelete(_fs, PathOf(file));
                var handle = _fs.Open(PathOf(file), create: true);
                try
                {
                    handle.SetLength(info.Size);
                }
                catch
                {
                    handle.Dispose();
                    throw;
                }
                _staged[info.Name] = (info, handle);
                return ReplicaStatus.Ok;
            }
            catch (IOException e)
            {
                return Classify(e);
            }
        }
    }

    /// <summary>How far behind the newest write of a staged layer its pages are written back and dropped (a few copy chunks in flight).</summary>
    private const long StreamLag = 32L << 20;

    /// <summary>Writes a piece of a staged layer, at its volume offset.</summary>
    public ReplicaStatus WriteStaged(string snapshot, long offset, ReadOnlySpan<byte> data)
    {
        IFileHandle handle;
        long size;
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            if (!_staged.TryGetValue(snapshot, out var staged)) return ReplicaStatus.NotFound;
            (handle, size) = (staged.Handle, staged.Info.Size);
        }
        if (offset < 0 || offset > size - data.Length) return ReplicaStatus.OutOfRange;
        var gate = EnterIo();
        try
        {
            handle.Write(offset, data); // a staged layer cut short by ENOSPC fails its check and is never installed
            handle.StreamBehind(offset, data.Length, offset - StreamLag);

            return ReplicaStatus.Ok;
        }
        catch (IOException e)
        {
            return Classify(e);
        }
        catch (ObjectDisposedException)
        {
            return ReplicaStatus.NotFound; // staged again or dropped meanwhile
        }
        finally
        {
            _io.ExitShared(gate);
        }
    }

    /// <summary>
    /// Makes a staged layer durable and returns the digest of what it holds, for the copier to compare. Done outside the
    /// replica's lock: a layer of gigabytes takes seconds, and the live writes' flushes must not wait for it.
    /// </summary>
    public ReplicaStatus CheckStaged(string snapshot, out LayerDigest digest)
    {
        digest = LayerDigest.Empty;
        (SnapshotInfo Info, IFileHandle Handle) staged;
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            if (!_staged.TryGetValue(snapshot, out staged)) return ReplicaStatus.NotFound;
        }
        try
        {
            Durably.Fsync(staged.Handle, ReplicaFiles.Staged(snapshot));
            digest = Digest(staged.Handle, staged.Info.Size);
            return ReplicaStatus.Ok;
        }
        catch (IOException e)
        {
            return Classify(e);
        }
        catch (ObjectDisposedException)
        {
            return ReplicaStatus.NotFound; // staged again, dropped or the replica closed meanwhile
        }
    }

    /// <summary>
    /// The digest of a snapshot layer of this replica (what a copier compares a staged copy with). Read outside the
    /// replica's lock and I/O gate, as a check is: a snapshot layer never changes, and flushes must not wait for it.
    /// </summary>
    public ReplicaStatus GetLayerDigest(string snapshot, out LayerDigest digest)
    {
        digest = LayerDigest.Empty;
        Layer? layer;
        lock (_control)
            if (FindLayer(snapshot, out layer) is var status and not ReplicaStatus.Ok) return status;
        try
        {
            digest = Digest(layer!.Handle, layer.Meta.Size);
            return ReplicaStatus.Ok;
        }
        catch (IOException e)
        {
            return Classify(e);
        }
        catch (ObjectDisposedException)
        {
            return ReplicaStatus.NotFound; // purged, or the replica closed, meanwhile
        }
    }

    /// <summary>
    /// Installs the staged layers <paramref name="snapshots"/> (all of them staged and checked) in one commit:
    /// each replaces the layer of its name or joins the tree. The resulting tree must be whole: every parent
    /// a snapshot of this replica. Other staged layers are dropped.
    /// </summary>
    public ReplicaStatus InstallStaged(IReadOnlyList<string> snapshots)
    {
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            if (snapshots.Any(s => !_staged.ContainsKey(s))) return ReplicaStatus.NotFound;
            var installing = snapshots.Select(s => _staged[s]).ToList();
            var files = _meta.Snapshots.Union(installing.Select(s => ReplicaFiles.Snapshot(s.Info.Name)), StringComparer.Ordinal).ToList();
            if (files.Count > _options.MaxSnapshots) return ReplicaStatus.TooManySnapshots;
            var parents = installing.ToDictionary(s => ReplicaFiles.Snapshot(s.Info.Name), s => s.Info.Parent is { } p ? ReplicaFiles.Snapshot(p) : null, StringComparer.Ordinal);
            foreach (var file in files.Where(f => !parents.ContainsKey(f))) parents[file] = _layers[file].Meta.Parent;
            if (_head.Meta.Parent is { } headParent && !parents.ContainsKey(headParent)) return ReplicaStatus.InvalidArgument;
            if (parents.Values.Any(p => p is not null && !parents.ContainsKey(p)) || HasCycle(parents)) return ReplicaStatus.InvalidArgument;
            return Exclusively(() =>
            {
                foreach (var (info, handle) in installing)
                {
                    var file = ReplicaFiles.Snapshot(info.Name);
                    Durably.Fsync(handle, file);
                    MetaFile.Write(_fs, PathOf(ReplicaFiles.MetaOf(file)), new LayerMeta
                    {
                        Name = info.Name,
                        Parent = parents[file],
                        Created = info.Created,
                        UserCreated = info.UserCreated,
                        Removed = info.Removed,
                        Labels = info.Labels.Count == 0 ? null : info.Labels,
                        RequestId = info.RequestId,
                        Size = info.Size,
                    });
                    _fs.Rename(PathOf(ReplicaFiles.Staged(info.Name)), PathOf(file));
                }
                Durably.FsyncDirectory(_fs, _dir);
                Commit(_meta with { Snapshots = files });
                foreach (var (info, handle) in installing)
                {
                    var file = ReplicaFiles.Snapshot(info.Name);
                    if (_layers.Remove(file, out var replaced)) replaced.Handle.Dispose();
                    _layers[file] = new Layer(file, MetaFile.Read<LayerMeta>(_fs, PathOf(ReplicaFiles.MetaOf(file)), _dir), handle);
                    _staged.Remove(info.Name);
                }
                foreach (var name in _staged.Keys.ToList()) DropStaged(name);
                _removals++; // readers opened on a replaced layer are stale
                AdoptChain(ReadChain(_head));
                return ReplicaStatus.Ok;
            }, cleanup: []);
        }
    }

    private static bool HasCycle(Dictionary<string, string?> parents) =>
        parents.Keys.Any(start =>
        {
            var steps = 0;
            for (var p = parents[start]; p is not null; p = parents[p])
                if (++steps > parents.Count) return true;
            return false;
        });

    private void DropStaged(string snapshot)
    {
        if (!_staged.Remove(snapshot, out var staged)) return;
        staged.Handle.Dispose();
        MetaFile.TryDelete(_fs, PathOf(ReplicaFiles.Staged(snapshot)));
    }

    /// <summary>
    /// A read of a copy or a digest, which streams through a layer once: what had to come from the disk leaves the cache
    /// again, so it neither crowds out the live volume's cached data nor grows the cache by the whole layer.
    /// </summary>
    private static void ReadThrough(IFileHandle handle, long offset, Span<byte> destination)
    {
        if (handle.TryReadCached(offset, destination)) return;
        handle.Read(offset, destination);
        handle.Forget(offset, destination.Length);
    }

    /// <summary>The digest of a layer file: its extents inside <paramref name="size"/>, in offset order.</summary>
    private static LayerDigest Digest(IFileHandle handle, long size)
    {
        var extents = new List<BlockExtent>();
        handle.GetDataExtents(0, Math.Min(size, handle.Length), extents);
        var digest = LayerDigest.Empty;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            foreach (var e in extents)
            {
                var end = Math.Min(e.Offset + e.Length, size);
                for (var offset = e.Offset; offset < end;)
                {
                    var n = (int)Math.Min(buffer.Length, end - offset);
                    ReadThrough(handle, offset, buffer.AsSpan(0, n));
                    digest = digest.Append(buffer.AsSpan(0, n));
                    offset += n;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return digest;
    }
}
