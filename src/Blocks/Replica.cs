using ActorStore.Blocks.Chain;
using ActorStore.Blocks.Devices;

namespace ActorStore.Blocks;

/// <summary>
/// One volume's data on one disk: a tree of sparse layer files of which the current chain
/// (root snapshot … head) is the volume (DESIGN §4). Thread-safe: I/O runs concurrently (writes that
/// touch the same 4 KiB block must be ordered by the caller, as the engine does); chain changes,
/// flushes and epoch changes are serialised and wait for I/O in flight.
/// </summary>
public sealed partial class Replica : IDisposable
{
    private readonly IFileSystem _fs;
    private readonly string _dir;
    private readonly ReplicaOptions _options;
    private readonly IoGate _io = new();
    private readonly object _control = new();
    private readonly Dictionary<string, Layer> _layers = new(StringComparer.Ordinal);
    private readonly Layer?[] _byId = new Layer?[256];
    private VolumeMeta _meta;
    private Layer _head = null!;
    private ReadIndex _index = null!;
    private readonly DirtyRegionLog _log;
    private readonly DirtyRegionLog _absent;
    private volatile bool _failed;
    private long _removals;
    private volatile bool _disposed;
    private volatile bool _closing; // set first by Dispose: I/O is refused from then on

    private Replica(IFileSystem fs, string dir, ReplicaOptions options, VolumeMeta meta, DirtyRegionLog log, DirtyRegionLog absent, bool unclean)
    {
        _absent = absent;
        _fs = fs;
        _dir = dir;
        _options = options;
        _meta = meta;
        _log = log;
        OpenedAfterUncleanStop = unclean;
    }

    /// <summary>The epoch of a request from no engine (a tool, a test): never refused as stale.</summary>
    public const long AnyEpoch = long.MaxValue;

    public string Directory => _dir;
    public long Size => _meta.Size;
    public ReplicaIdentity Identity => new(_meta.VolumeId, _meta.ReplicaId, _meta.Epoch);
    /// <summary>The highest engine epoch accepted (as <see cref="Identity"/>, without allocating: checked on every request).</summary>
    public long Epoch => _meta.Epoch;
    /// <summary>Advances with every completed flush; the freshest replica has the highest (DESIGN §3).</summary>
    public long Revision => _log.Revision;
    public bool Rebuilding => _meta.Rebuilding;
    /// <summary>
    /// True once an fsync failed (recorded on disk, so also after a restart): every later operation answers
    /// <see cref="ReplicaStatus.Failed"/>, and the replica is only good for removal (never salvaged).
    /// </summary>
    public bool IsFailed => _failed;
    /// <summary>The replica was open for writing when its process stopped (crash, SIGKILL, power cut).</summary>
    public bool OpenedAfterUncleanStop { get; }
    /// <summary>The snapshot the head was taken from, or null for a chain of one layer.</summary>
    public string? HeadParent => _head.Meta.Parent is { } p ? _layers[p].Meta.Name : null;
    /// <summary>Memory held by the read index, in bytes.</summary>
    public long ReadIndexBytes => _index.MemoryBytes;

    /// <summary>Makes a new empty replica in <paramref name="directory"/>; the directory may exist but must not hold one.</summary>
    /// <param name="rebuilding">Made to be rebuilt from a healthy replica (see <see cref="StageLayer"/>): it starts <see cref="Rebuilding"/>.</param>
    public static ReplicaStatus Create(IFileSystem fs, string directory, ReplicaIdentity identity, long size, out Replica? replica, ReplicaOptions? options = null, bool rebuilding = false)
    {
        replica = null;
        options ??= new ReplicaOptions();
        if (size <= 0 || size > options.MaxSize) return ReplicaStatus.OutOfRange;
        if (!BlockSize.IsAligned(size)) return ReplicaStatus.InvalidArgument;
        if (!Names.IsValid(identity.ReplicaId)) return ReplicaStatus.InvalidName;
        if (identity.Epoch < 0) return ReplicaStatus.OutOfRange;
        try
        {
            fs.CreateDirectory(directory);
            if (FileSystemProbe.Problem(fs, directory) is not null) return ReplicaStatus.UnsupportedFileSystem;
            var files = fs.ListFiles(directory);
            if (files.Contains(ReplicaFiles.VolumeMeta)) return ReplicaStatus.AlreadyExists;
            if (files.Any(IsOurs) && !files.Contains(ReplicaFiles.CreatingMarker))
                throw new ReplicaCorruptException(directory, "it holds replica files but no volume.meta");
            // What is here is a create that was interrupted before its commit: start over.
            foreach (var file in files.Where(f => IsOurs(f) || f == ReplicaFiles.CreatingMarker)) fs.Delete(Path.Combine(directory, file));
            fs.Open(Path.Combine(directory, ReplicaFiles.CreatingMarker), create: true).Dispose();
            Durably.FsyncDirectory(fs, directory);

            var head = ReplicaFiles.Head(1);
            using (var h = fs.Open(Path.Combine(directory, head), create: true))
            {
                h.SetLength(size);
                Durably.Fsync(h, head);
            }
            MetaFile.Write(fs, Path.Combine(directory, ReplicaFiles.MetaOf(head)), new LayerMeta { Created = DateTimeOffset.UtcNow, Size = size });
            DirtyRegionLog.Create(fs, Path.Combine(directory, ReplicaFiles.DirtyLog), size).Dispose();
            DirtyRegionLog.Create(fs, Path.Combine(directory, ReplicaFiles.AbsentLog), size, DirtyRegionLog.AbsentShift).Dispose();
            MetaFile.Write(fs, Path.Combine(directory, ReplicaFiles.VolumeMeta), new VolumeMeta
            {
                VolumeId = identity.VolumeId,
                ReplicaId = identity.ReplicaId,
                Epoch = identity.Epoch,
                Size = size,
                Head = head,
                NextHeadNumber = 2,
                Snapshots = [],
                Rebuilding = rebuilding,
            });
            fs.Delete(Path.Combine(directory, ReplicaFiles.CreatingMarker));
            MetaFile.EnsureSpare(fs, directory);
        }
        catch (IOException e)
        {
            return e.HResult == LinuxNative.Enospc ? ReplicaStatus.NoSpace : ReplicaStatus.IoError;
        }
        return Open(fs, directory, out replica, options);
    }

    /// <summary>
    /// Opens a replica, finishing or undoing whatever a crash interrupted. <see cref="ReplicaStatus.NotFound"/>
    /// when the directory holds no replica; throws <see cref="ReplicaCorruptException"/> for a state no crash leaves.
    /// </summary>
    public static ReplicaStatus Open(IFileSystem fs, string directory, out Replica? replica, ReplicaOptions? options = null)
    {
        replica = null;
        options ??= new ReplicaOptions();
        var metaPath = Path.Combine(directory, ReplicaFiles.VolumeMeta);
        if (!fs.DirectoryExists(directory)) return ReplicaStatus.NotFound;
        if (!fs.FileExists(metaPath))
        {
            var files = fs.ListFiles(directory);
            if (files.Any(IsOurs) && !files.Contains(ReplicaFiles.CreatingMarker))
                throw new ReplicaCorruptException(directory, "volume.meta is missing");
            return ReplicaStatus.NotFound;
        }
        try
        {
            var meta = MetaFile.Read<VolumeMeta>(fs, metaPath, directory);
            if (meta.Size <= 0 || !BlockSize.IsAligned(meta.Size) || meta.Snapshots is null || meta.Head is null)
                throw new ReplicaCorruptException(directory, "volume.meta has an invalid size or chain");
            RemoveLeftovers(fs, directory, meta);
            // A replica made before spares existed gets one now, if the disk has room (see MetaFile).
            MetaFile.EnsureSpare(fs, directory);
            var log = DirtyRegionLog.Open(fs, Path.Combine(directory, ReplicaFiles.DirtyLog), meta.Size, directory);
            var absentPath = Path.Combine(directory, ReplicaFiles.AbsentLog);
            DirtyRegionLog absent;
            try
            {
                // A replica made before catch-up existed has none yet.
                absent = fs.FileExists(absentPath) ? DirtyRegionLog.Open(fs, absentPath, meta.Size, directory, DirtyRegionLog.AbsentShift)
                    : DirtyRegionLog.Create(fs, absentPath, meta.Size, DirtyRegionLog.AbsentShift);
            }
            catch
            {
                log.Dispose();
                throw;
            }
            var r = new Replica(fs, directory, options, meta, log, absent, meta.Dirty) { _failed = fs.FileExists(Path.Combine(directory, ReplicaFiles.FailedMarker)) };
            try
            {
                r.LoadLayers();
                r.BuildChain();
                // A process that died without its machine rebooting left its writes in the page cache: nothing was lost.
                var lost = meta.CacheLost || (meta.Dirty && (meta.BootId != Boot.Id || Boot.Id.Length == 0));
                if (!r._failed && (!meta.Dirty || meta.BootId != Boot.Id || lost != meta.CacheLost))
                    r.Commit(meta with { Dirty = true, BootId = Boot.Id, CacheLost = lost });
            }
            catch
            {
                r.CloseFiles();
                throw;
            }
            replica = r;
            return ReplicaStatus.Ok;
        }
        catch (FileNotFoundException e)
        {
            throw new ReplicaCorruptException(directory, $"{Path.GetFileName(e.FileName)} is missing");
        }
        catch (IOException e)
        {
            return e.HResult == LinuxNative.Enospc ? ReplicaStatus.NoSpace : ReplicaStatus.IoError;
        }
    }

    /// <summary>
    /// Raises the highest epoch seen; an older epoch is refused (fencing, DESIGN §2). A new epoch waits for the
    /// I/O in flight: once it is accepted, nothing an older engine started still runs — not even a write a hung
    /// disk held past the engine's deadline, which a salvage must not race.
    /// </summary>
    public ReplicaStatus AcceptEpoch(long epoch)
    {
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            if (epoch < _meta.Epoch) return ReplicaStatus.StaleEpoch;
            return epoch == _meta.Epoch ? ReplicaStatus.Ok : Exclusively(() => TryCommit(_meta with { Epoch = epoch }), cleanup: []);
        }
    }

    /// <summary>
    /// Marks the replica as being rebuilt (DESIGN §4–5): TRIM becomes a no-op and WRITE_ZEROES always writes zeros
    /// into the head until it is cleared, since the layers below are not all copied yet (a hole punched over one
    /// would show its data once it is). Clearing it forgets any layer staged and not installed.
    /// </summary>
    public ReplicaStatus SetRebuilding(bool rebuilding)
    {
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            if (!rebuilding) foreach (var name in _staged.Keys.ToList()) DropStaged(name);
            if (rebuilding == _meta.Rebuilding) return ReplicaStatus.Ok;
            // Drained, so no trim in flight acts on the old flag.
            return Exclusively(() => TryCommit(_meta with { Rebuilding = rebuilding }), cleanup: []);
        }
    }

    /// <summary>
    /// Forgets every dirty region: the engine of <paramref name="epoch"/> calls this once it has copied them from the
    /// freshest replica to the others and flushed, and once a clean stop has flushed every replica (DESIGN §3). Until
    /// then they stay listed, across restarts too. Refused once a newer engine has opened the replica: the marks are its own.
    /// </summary>
    public ReplicaStatus ClearDirtyRegions(long epoch)
    {
        lock (_control)
        {
            EnsureOpen();
            if (_failed) return ReplicaStatus.Failed;
            if (epoch < _meta.Epoch) return ReplicaStatus.StaleEpoch;
            return Exclusively(() =>
            {
                // Writes may have come after the engine's last flush: they must be durable before their marks go.
                Durably.Fsync(_head.Handle, _head.File);
                var cleared = ClearLog(includingFailed: true);
                return cleared == ReplicaStatus.Ok && _meta.CacheLost ? TryCommit(_meta with { CacheLost = false }) : cleared;
            }, cleanup: []);
        }
    }

    /// <summary>The snapshots under the head, oldest first: replicas whose chains differ cannot be reconciled region by region.</summary>
    public IReadOnlyList<string> ChainNames()
    {
        lock (_control)
        {
            EnsureOpen();
            return ChainOf(_head).Where(l => !l.IsHead).Select(l => l.Meta.Name!).ToArray();
        }
    }

    /// <summary>Regions that may differ from other replicas after an unclean stop (the dirty-region log).</summary>
    public IReadOnlyList<BlockExtent> DirtyRegions()
    {
        lock (_control)
        {
            EnsureOpen();
            return _log.DirtyRegions(_meta.Size);
        }
    }

    /// <summary>Closes cleanly: flushes and records the clean stop. A failed replica is only closed.</summary>
    public void Dispose()
    {
        lock (_control)
        {
            if (_disposed) return;
            // First refuse new I/O and wait for what is in flight: a write after the last flush would
            // otherwise be lost with the replica marked clean.
            _io.EnterExclusive();
            _closing = true;
            _io.ExitExclusive();
            if (!_failed && Flush() == ReplicaStatus.Ok && ClearLog(includingFailed: false) == ReplicaStatus.Ok) TryCommit(_meta with { Dirty = false });
            // Exclusive, so no I/O is using a descriptor while it is closed (and possibly reused).
            _io.EnterExclusive();
            try
            {
                _disposed = true;
                CloseFiles();
            }
            finally
            {
                _io.ExitExclusive();
            }
        }
    }

    private void EnsureOpen() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Empties the dirty-region log (at a clean close, regions a failed write touched stay).</summary>
    private ReplicaStatus ClearLog(bool includingFailed)
    {
        try
        {
            _log.ClearAll(includingFailed);
            _log.Fsync();
            return ReplicaStatus.Ok;
        }
        catch (IOException e)
        {
            return Classify(e);
        }
    }

    /// <summary>Enters the I/O gate shared; I/O on a disposed replica is a bug in the caller.</summary>
    private int EnterIo()
    {
        var gate = _io.EnterShared();
        if (!_closing) return gate;
        _io.ExitShared(gate);
        throw new ObjectDisposedException(nameof(Replica), $"replica {_dir} is closed");
    }

    private void CloseFiles()
    {
        foreach (var layer in _layers.Values) layer.Handle.Dispose();
        _layers.Clear();
        foreach (var staged in _staged.Values) staged.Handle.Dispose();
        _staged.Clear();
        _log.Dispose();
        _absent.Dispose();
    }

    private string PathOf(string file) => Path.Combine(_dir, file);

    /// <summary>Writes volume.meta, the commit point of every chain change.</summary>
    private void Commit(VolumeMeta next)
    {
        MetaFile.Write(_fs, PathOf(ReplicaFiles.VolumeMeta), next);
        _meta = next;
    }

    private ReplicaStatus TryCommit(VolumeMeta next)
    {
        try
        {
            Commit(next);
            return ReplicaStatus.Ok;
        }
        catch (IOException e)
        {
            return Classify(e);
        }
    }

    private ReplicaStatus Classify(IOException e)
    {
        if (e is FsyncFailedException) Fail();
        return e switch
        {
            FsyncFailedException => ReplicaStatus.Failed,
            { HResult: LinuxNative.Enospc } => ReplicaStatus.NoSpace,
            _ => ReplicaStatus.IoError,
        };
    }

    /// <summary>
    /// Whether the replica's files are still where it opened them. A directory deleted under an open replica (by hand, by a
    /// wrong cleanup) goes on taking writes into unlinked files that no reopen will find: the replica is failed at once, so
    /// the engine stops counting it as a copy and a rebuild replaces it. False when it is failed.
    /// </summary>
    public bool CheckFiles()
    {
        // Never waits: the lock may be held for as long as a hung disk holds a chain change; the next check comes soon.
        if (!Monitor.TryEnter(_control)) return !_failed;
        try
        {
            if (_disposed || _failed) return !_failed;
            if (_fs.FileExists(PathOf(ReplicaFiles.VolumeMeta)) && _fs.FileExists(PathOf(_head.File))) return true;
            Fail();
            return false;
        }
        finally
        {
            Monitor.Exit(_control);
        }
    }

    /// <summary>Fails the replica for good and records it on disk, so no later engine trusts it either.</summary>
    private void Fail()
    {
        if (_failed) return;
        _failed = true;
        try
        {
            _fs.Open(PathOf(ReplicaFiles.FailedMarker), create: true).Dispose();
            Durably.FsyncDirectory(_fs, _dir);
        }
        catch (IOException)
        {
            // The disk may be what failed; the engine's record of the failure is the other memory of it.
        }
    }
}
