using ActorStore.Blocks.Chain;
using ActorStore.Blocks.Devices;

namespace ActorStore.Blocks;

// Delta catch-up (DESIGN §3, §5). While a replica of the volume is away, the engine marks every write it sends
// the others as tracked: each of them notes the write's 4 MiB regions durably in its absent log before applying
// it, so what the away replica missed survives any crash or engine restart. When that replica comes back intact,
// its head becomes the staged copy of the first layer it lacks (its own writes up to its departure, in place),
// the regions written since are patched into it from a healthy replica, and the layers taken meanwhile are copied
// whole — then the staged layers are checked against the healthy replica's digests and installed as a rebuild's are.
public sealed partial class Replica
{
    /// <summary>Regions written by tracked writes since the absent log was last cleared (byte extents, merged, in order).</summary>
    public IReadOnlyList<BlockExtent> AbsentRegions()
    {
        lock (_control)
        {
            EnsureOpen();
            return _absent.DirtyRegions(_meta.Size);
        }
    }

    /// <summary>Marks every region absent: what a replica missed is no longer known, so its catch-up copies whole layers.</summary>
    public ReplicaStatus MarkAllAbsent()
    {
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            try
            {
                _absent.NoteWrite(0, _meta.Size);
                return ReplicaStatus.Ok;
            }
            catch (IOException e)
            {
                return Classify(e);
            }
        }
    }

    /// <summary>Forgets the absent log: every replica of the volume is in sync again.</summary>
    public ReplicaStatus ClearAbsentRegions()
    {
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            try
            {
                _absent.ClearAll(includingFailed: true);
                _absent.Fsync();
                return ReplicaStatus.Ok;
            }
            catch (IOException e)
            {
                return Classify(e);
            }
        }
    }

    /// <summary>
    /// Starts this replica's catch-up: its head (everything it took before it went away) becomes the staged layer
    /// <paramref name="layer"/>, a new empty head takes the live writes from now on, and the replica is rebuilding.
    /// <paramref name="dirty"/>: the regions the head may hold differently from the others, which the catch-up patches too:
    /// its dirty-region log, when an unclean stop across a reboot may have lost writes there (a process that only died
    /// left them in the page cache, and every write it missed was tracked by the others). Crash-safe as a snapshot is: the old head is
    /// linked to the staged name before volume.meta commits the new head, and a staged file is forgotten on open.
    /// </summary>
    public ReplicaStatus BeginCatchUp(string layer, out IReadOnlyList<BlockExtent> dirty)
    {
        dirty = [];
        if (!Names.IsValid(layer)) return ReplicaStatus.InvalidName;
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            if (_layers.ContainsKey(ReplicaFiles.Snapshot(layer))) return ReplicaStatus.AlreadyExists;
            // Already rebuilding (a catch-up begun before, then interrupted): its head is not what it held when it left.
            if (_meta.Rebuilding) return ReplicaStatus.InvalidArgument;
            var regions = _meta.CacheLost ? _log.DirtyRegions(_meta.Size) : [];
            var status = Exclusively(() =>
            {
                var old = _head;
                DropStaged(layer);
                MetaFile.TryDelete(_fs, PathOf(ReplicaFiles.Staged(layer)));
                Durably.Fsync(old.Handle, old.File);
                _fs.Link(PathOf(old.File), PathOf(ReplicaFiles.Staged(layer)));
                var head = CreateHead(old.Meta.Parent, DateTimeOffset.UtcNow);
                try
                {
                    var chain = ReadChain(head);
                    Commit(_meta with { Head = head.File, NextHeadNumber = _meta.NextHeadNumber + 1, Rebuilding = true, CacheLost = false });
                    _layers.Remove(old.File);
                    DeleteFiles(old.File);
                    _layers[head.File] = head;
                    _head = head;
                    AdoptChain(chain);
                    _removals++; // readers opened on the old head are stale
                }
                catch
                {
                    if (_head != head) head.Handle.Dispose();
                    throw;
                }
                var parent = old.Meta.Parent is { } p ? _layers[p].Meta.Name : null;
                _staged[layer] = (new SnapshotInfo(layer, parent, old.Meta.Created, false, false, _meta.Size, new Dictionary<string, string>(), null), old.Handle);
                return ReplicaStatus.Ok;
            }, cleanup: [ReplicaFiles.Staged(layer), ReplicaFiles.Head(_meta.NextHeadNumber), ReplicaFiles.MetaOf(ReplicaFiles.Head(_meta.NextHeadNumber))]);
            if (status != ReplicaStatus.Ok) return status;
            dirty = regions;
            // After the commit, outside the cleanup above (it must not delete what is committed): the old head's marks are
            // the caller's now, and the new head starts clean. A failure here leaves marks, never a broken replica.
            return ClearLog(includingFailed: true);
        }
    }

    /// <summary>Makes a range of a staged layer a hole again, before a catch-up writes what the healthy replica's layer holds there.</summary>
    public ReplicaStatus PunchStaged(string snapshot, long offset, long length)
    {
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            if (!_staged.TryGetValue(snapshot, out var staged)) return ReplicaStatus.NotFound;
            if (offset < 0 || length < 0 || offset > staged.Info.Size - length || !BlockSize.IsAligned(offset) || !BlockSize.IsAligned(length))
                return ReplicaStatus.OutOfRange;
            try
            {
                staged.Handle.PunchHole(offset, length);
                return ReplicaStatus.Ok;
            }
            catch (IOException e)
            {
                return Classify(e);
            }
        }
    }
}
