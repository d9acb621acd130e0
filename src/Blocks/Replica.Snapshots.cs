using System.Buffers;
using ActorStore.Blocks.Chain;
using ActorStore.Blocks.Devices;

namespace ActorStore.Blocks;

// Changes to the snapshot tree: snapshot, delete, purge, revert, expand. Each is crash-safe: new files
// are written and fsynced first, volume.meta is the single commit point, and what an interruption
// leaves behind is recognised and removed on open. I/O is drained while the chain changes.
public sealed partial class Replica
{
    public IReadOnlyList<SnapshotInfo> Snapshots()
    {
        lock (_control)
        {
            EnsureOpen();
            return _layers.Values.Where(l => !l.IsHead).OrderBy(l => l.Meta.Created).ThenBy(l => l.Meta.Name, StringComparer.Ordinal).Select(Describe).ToList();
        }
    }

    /// <summary>Turns the head into snapshot <paramref name="name"/> and starts a new empty head. Retrying with the same request id is a no-op.</summary>
    public ReplicaStatus Snapshot(string name, bool userCreated = true, IReadOnlyDictionary<string, string>? labels = null, Guid? requestId = null)
    {
        if (!Names.IsValid(name)) return ReplicaStatus.InvalidName;
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            var file = ReplicaFiles.Snapshot(name);
            if (_layers.TryGetValue(file, out var existing))
                return requestId is not null && existing.Meta.RequestId == requestId ? ReplicaStatus.Ok
                    : existing.Meta.Removed ? ReplicaStatus.SnapshotRemoved // deleted, not yet purged: its name is still taken
                    : ReplicaStatus.AlreadyExists;
            if (_meta.Snapshots.Count >= _options.MaxSnapshots) return ReplicaStatus.TooManySnapshots;
            return Exclusively(() =>
            {
                var old = _head;
                var now = DateTimeOffset.UtcNow;
                var snapshotMeta = old.Meta with { Name = name, Created = now, UserCreated = userCreated, Labels = labels, RequestId = requestId, Size = _meta.Size, Removed = false };
                Durably.Fsync(old.Handle, old.File);
                MetaFile.Write(_fs, PathOf(ReplicaFiles.MetaOf(file)), snapshotMeta);
                _fs.Link(PathOf(old.File), PathOf(file));
                var head = CreateHead(file, now);
                try
                {
                    Commit(_meta with { Head = head.File, NextHeadNumber = _meta.NextHeadNumber + 1, Snapshots = [.. _meta.Snapshots, file] });
                }
                catch
                {
                    head.Handle.Dispose();
                    throw;
                }
                _layers.Remove(old.File);
                var oldHeadFile = old.File;
                old.File = file;
                old.Meta = snapshotMeta;
                _layers[file] = old;
                head.Id = NextFreeId();
                _byId[head.Id] = head;
                _layers[head.File] = head;
                _head = head;
                DeleteFiles(oldHeadFile);
                return ReplicaStatus.Ok;
            }, cleanup: [ReplicaFiles.MetaOf(file), file, ReplicaFiles.Head(_meta.NextHeadNumber), ReplicaFiles.MetaOf(ReplicaFiles.Head(_meta.NextHeadNumber))]);
        }
    }

    /// <summary>Marks a snapshot removed; <see cref="Purge"/> reclaims its space.</summary>
    public ReplicaStatus DeleteSnapshot(string name)
    {
        if (!Names.IsValid(name)) return ReplicaStatus.InvalidName;
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            if (!_layers.TryGetValue(ReplicaFiles.Snapshot(name), out var layer)) return ReplicaStatus.NotFound;
            if (layer.Meta.Removed) return ReplicaStatus.Ok;
            try
            {
                var meta = layer.Meta with { Removed = true };
                MetaFile.Write(_fs, PathOf(ReplicaFiles.MetaOf(layer.File)), meta);
                layer.Meta = meta;
                return ReplicaStatus.Ok;
            }
            catch (IOException e)
            {
                return Classify(e);
            }
        }
    }

    /// <summary>
    /// Reclaims removed snapshots: one without children is deleted; one with a single snapshot child is
    /// coalesced into it; one whose only child is the head is pruned of the blocks the head overwrote
    /// (the live head is never written). A snapshot with several children stays until they go.
    /// Pruning changes which blocks lie below the head, and so what a TRIM may discard: the engine runs a
    /// purge on every replica with I/O drained, as it takes snapshots, and fails a replica whose purge fails.
    /// </summary>
    public ReplicaStatus Purge()
    {
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            return Exclusively(() =>
            {
                var pruned = new HashSet<Layer>();
                for (var progress = true; progress;)
                {
                    progress = false;
                    foreach (var s in _layers.Values.Where(l => l.Meta.Removed).OrderBy(l => l.File, StringComparer.Ordinal).ToList())
                    {
                        var children = _layers.Values.Where(l => l.Meta.Parent == s.File).ToList();
                        if (children.Count == 0)
                        {
                            RemoveSnapshot(s);
                            progress = true;
                        }
                        else if (children.Count == 1 && !children[0].IsHead)
                        {
                            Coalesce(s, children[0]);
                            progress = true;
                        }
                        else if (children.Count == 1 && pruned.Add(s)) Prune(s);
                    }
                }
                return ReplicaStatus.Ok;
            }, cleanup: []);
        }
    }

    /// <summary>Starts a new empty head on <paramref name="name"/>; later snapshots stay (the chain becomes a tree) and the size is kept.</summary>
    public ReplicaStatus Revert(string name)
    {
        if (!Names.IsValid(name)) return ReplicaStatus.InvalidName;
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            if (!_layers.TryGetValue(ReplicaFiles.Snapshot(name), out var target)) return ReplicaStatus.NotFound;
            if (target.Meta.Removed) return ReplicaStatus.SnapshotRemoved;
            var headFile = ReplicaFiles.Head(_meta.NextHeadNumber);
            return Exclusively(() =>
            {
                var head = CreateHead(target.File, DateTimeOffset.UtcNow);
                try
                {
                    // Read the new chain before the commit: after it, nothing may fail halfway.
                    var chain = ReadChain(head);
                    Commit(_meta with { Head = head.File, NextHeadNumber = _meta.NextHeadNumber + 1 });
                    var old = _head;
                    _layers.Remove(old.File);
                    old.Handle.Dispose();
                    DeleteFiles(old.File);
                    _layers[head.File] = head;
                    _head = head;
                    AdoptChain(chain);
                }
                catch
                {
                    if (_head != head) head.Handle.Dispose();
                    throw;
                }
                return ReplicaStatus.Ok;
            }, cleanup: [headFile, ReplicaFiles.MetaOf(headFile)]);
        }
    }

    /// <summary>Grows the volume; the new space reads as zeros. Shrinking is refused.</summary>
    public ReplicaStatus Expand(long newSize)
    {
        if (newSize <= 0 || newSize > _options.MaxSize) return ReplicaStatus.OutOfRange;
        if (!BlockSize.IsAligned(newSize)) return ReplicaStatus.InvalidArgument;
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            if (newSize < _meta.Size) return ReplicaStatus.InvalidArgument;
            if (newSize == _meta.Size) return ReplicaStatus.Ok;
            return Exclusively(() =>
            {
                _head.Handle.SetLength(newSize);
                Durably.Fsync(_head.Handle, _head.File);
                _log.Resize(newSize);
                _absent.Resize(newSize);
                Commit(_meta with { Size = newSize });
                _index.Resize(BlockSize.BlocksIn(newSize));
                return ReplicaStatus.Ok;
            }, cleanup: []);
        }
    }

    private SnapshotInfo Describe(Layer l) => new(
        l.Meta.Name!, l.Meta.Parent is { } p ? _layers[p].Meta.Name : null, l.Meta.Created, l.Meta.UserCreated, l.Meta.Removed, l.Meta.Size,
        l.Meta.Labels ?? new Dictionary<string, string>(), l.Meta.RequestId);

    /// <summary>Runs a chain change with I/O drained. On an error before the commit, the files it names are removed again.</summary>
    private ReplicaStatus Exclusively(Func<ReplicaStatus> change, string[] cleanup)
    {
        _io.EnterExclusive();
        try
        {
            return change();
        }
        catch (IOException e)
        {
            // After a failed fsync the commit may or may not be on disk: leave the files for the next open.
            if (e is not FsyncFailedException)
                foreach (var file in cleanup.Where(f => !_layers.ContainsKey(f) && f != _meta.Head)) MetaFile.TryDelete(_fs, PathOf(file));
            return Classify(e);
        }
        finally
        {
            _io.ExitExclusive();
        }
    }

    /// <summary>Creates and fsyncs an empty head file and its metadata (not yet committed).</summary>
    private Layer CreateHead(string? parent, DateTimeOffset created)
    {
        var file = ReplicaFiles.Head(_meta.NextHeadNumber);
        var handle = _fs.Open(PathOf(file), create: true);
        try
        {
            handle.SetLength(_meta.Size);
            Durably.Fsync(handle, file);
            var meta = new LayerMeta { Parent = parent, Created = created, Size = _meta.Size };
            MetaFile.Write(_fs, PathOf(ReplicaFiles.MetaOf(file)), meta);
            return new Layer(file, meta, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private void DeleteFiles(string layerFile)
    {
        MetaFile.TryDelete(_fs, PathOf(layerFile));
        MetaFile.TryDelete(_fs, PathOf(ReplicaFiles.MetaOf(layerFile)));
    }

    private void RemoveSnapshot(Layer s)
    {
        Commit(_meta with { Snapshots = _meta.Snapshots.Where(f => f != s.File).ToList() });
        _layers.Remove(s.File);
        if (s.Id != 0) _byId[s.Id] = null;
        s.Handle.Dispose();
        DeleteFiles(s.File);
        _removals++;
    }

    /// <summary>Punches out of <paramref name="s"/> the blocks the head has overwritten. The head is fsynced first, so the punched data is never needed again.</summary>
    private void Prune(Layer s)
    {
        Durably.Fsync(_head.Handle, _head.File);
        var extents = new List<BlockExtent>();
        s.Handle.GetDataExtents(0, s.Handle.Length, extents);
        foreach (var e in extents)
        {
            for (var block = e.Start; block < Math.Min(e.End, _index.Blocks);)
            {
                var run = _index.Run(block, Math.Min(e.End, _index.Blocks) - block, out var layer);
                if (layer == _head.Id) s.Handle.PunchHole(block << BlockSize.Shift, run << BlockSize.Shift);
                block += run;
            }
        }
        Durably.Fsync(s.Handle, s.File);
        _removals++; // s's own content changed: readers opened on it are stale
    }

    /// <summary>
    /// Folds snapshot child <paramref name="c"/> into removed snapshot <paramref name="s"/>, as Longhorn
    /// does: c's blocks are copied into s's file, where c hides them anyway, so a crash midway changes no
    /// snapshot's content (and an unwritten extent a crash leaves there is hidden too). Then s's file
    /// takes c's name through an atomic rename of a second hard link, c is re-parented, and s is dropped.
    /// </summary>
    private void Coalesce(Layer s, Layer c)
    {
        var extents = new List<BlockExtent>();
        c.Handle.GetDataExtents(0, c.Handle.Length, extents);
        if (s.Handle.Length < c.Handle.Length) s.Handle.SetLength(c.Handle.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            foreach (var e in extents)
            {
                for (var offset = e.Offset; offset < e.Offset + e.Length;)
                {
                    var n = (int)Math.Min(buffer.Length, e.Offset + e.Length - offset);
                    c.Handle.Read(offset, buffer.AsSpan(0, n));
                    s.Handle.Write(offset, buffer.AsSpan(0, n));
                    offset += n;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        Durably.Fsync(s.Handle, s.File);

        var temp = PathOf(c.File) + MetaFile.TempSuffix;
        MetaFile.TryDelete(_fs, temp);
        _fs.Link(PathOf(s.File), temp);
        _fs.Rename(temp, PathOf(c.File));
        Durably.FsyncDirectory(_fs, _dir);
        var folded = _fs.Open(PathOf(c.File), create: false);
        _removals++; // readers holding c's old handle are stale from here
        c.Handle.Dispose();
        c.Handle = folded;

        var meta = c.Meta with { Parent = s.Meta.Parent };
        MetaFile.Write(_fs, PathOf(ReplicaFiles.MetaOf(c.File)), meta);
        c.Meta = meta;
        if (s.Id != 0 && c.Id != 0) _index.Replace(s.Id, c.Id);
        RemoveSnapshot(s);
    }
}
