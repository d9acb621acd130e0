namespace ActorStore.Blocks.Devices;

/// <summary>
/// An in-memory file system that keeps, beside what a program sees, what would survive a power cut:
/// a file's content as of its last fsync, and a directory's names as of its last directory fsync.
/// <see cref="CutPower"/> throws away everything else. It can also run out of space (writing what fits
/// first, as pwrite does), fail an fsync,
/// and cut power by itself after a given number of mutating operations. Blocks are 4 KiB, as on ext4:
/// a partial write allocates the whole block, a partial punch only zeroes bytes. Reserved blocks
/// (<see cref="IFileHandle.Allocate"/>) count as used space but read as holes until written.
/// </summary>
public sealed class SimulatedFileSystem : IFileSystem
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Inode> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Inode> _durableNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private long _generation;
    private long _operations;

    /// <summary>Total blocks that may be allocated across all files; null is unlimited.</summary>
    public long? CapacityBlocks { get; set; }

    /// <summary>When set, the next fsync of a file whose path matches fails with EIO.</summary>
    public Func<string, bool>? FailFsync { get; set; }

    /// <summary>
    /// When set, the next waited writeback (<see cref="IFileHandle.StreamBehind"/> with pages behind to wait for) of a file
    /// whose path matches fails with EIO: as on Linux, the error is reported there once, and a later fsync does not see it.
    /// </summary>
    public Func<string, bool>? FailWriteback { get; set; }

    /// <summary>When set, power is cut (and <see cref="PowerCutException"/> thrown) at this mutating operation.</summary>
    public long? CutPowerAtOperation { get; set; }

    /// <summary>Mutating operations so far: write, punch, set-length, fsync, rename, link, delete, directory fsync.</summary>
    public long Operations { get { lock (_gate) return _operations; } }

    public long AllocatedBlocks { get { lock (_gate) return _names.Values.Distinct().Sum(i => (long)i.Blocks.Count + i.Reserved.Count); } }

    /// <summary>Drops every write since each file's last fsync and every name change since its directory's last fsync.</summary>
    public void CutPower()
    {
        lock (_gate)
        {
            _generation++;
            _names.Clear();
            foreach (var (path, inode) in _durableNames)
            {
                inode.RevertToDurable();
                _names[path] = inode;
            }
            CutPowerAtOperation = null;
        }
    }

    public IFileHandle Open(string path, bool create)
    {
        lock (_gate)
        {
            if (!_names.TryGetValue(path, out var inode))
            {
                if (!create) throw new FileNotFoundException($"no such file: {path}", path);
                if (!_directories.Contains(Parent(path))) throw new DirectoryNotFoundException(Parent(path));
                inode = new Inode();
                _names[path] = inode;
            }
            return new Handle(this, path, inode, _generation);
        }
    }

    public bool FileExists(string path) { lock (_gate) return _names.ContainsKey(path); }

    public bool DirectoryExists(string path) { lock (_gate) return _directories.Contains(path); }

    public void CreateDirectory(string path) { lock (_gate) _directories.Add(path.TrimEnd('/')); }

    public IReadOnlyList<string> ListFiles(string directory)
    {
        lock (_gate)
            return _names.Keys.Where(p => Parent(p) == directory).Select(p => p[(directory.Length + 1)..]).Order(StringComparer.Ordinal).ToList();
    }

    public void Rename(string from, string to)
    {
        lock (_gate)
        {
            Step();
            if (!_names.Remove(from, out var inode)) throw new FileNotFoundException(from);
            _names[to] = inode;
        }
    }

    public void Exchange(string a, string b)
    {
        lock (_gate)
        {
            Step();
            if (!_names.TryGetValue(a, out var first)) throw new FileNotFoundException(a);
            if (!_names.TryGetValue(b, out var second)) throw new FileNotFoundException(b);
            _names[a] = second;
            _names[b] = first;
        }
    }

    public void Link(string existing, string newName)
    {
        lock (_gate)
        {
            Step();
            if (!_names.TryGetValue(existing, out var inode)) throw new FileNotFoundException(existing);
            if (_names.ContainsKey(newName)) throw new IOException($"link: {newName} exists", 17);
            _names[newName] = inode;
        }
    }

    public void Delete(string path)
    {
        lock (_gate)
        {
            Step();
            _names.Remove(path);
        }
    }

    public void FsyncDirectory(string directory)
    {
        lock (_gate)
        {
            Step();
            foreach (var path in _durableNames.Keys.Where(p => Parent(p) == directory).ToList()) _durableNames.Remove(path);
            foreach (var (path, inode) in _names.Where(kv => Parent(kv.Key) == directory)) _durableNames[path] = inode;
        }
    }

    private static string Parent(string path) => Path.GetDirectoryName(path) ?? "/";

    /// <summary>Counts a mutating operation and cuts power when the armed operation is reached.</summary>
    private void Step()
    {
        _operations++;
        if (_operations == CutPowerAtOperation)
        {
            CutPower();
            throw new PowerCutException(_operations);
        }
    }

    private void EnsureSpace(long newBlocks)
    {
        if (CapacityBlocks is { } cap && AllocatedBlocks + newBlocks > cap)
            throw new IOException("No space left on device", LinuxNative.Enospc);
    }

    private sealed class Inode
    {
        // Block arrays are never changed in place, so a durable copy shares them safely.
        public Dictionary<long, byte[]> Blocks = new();
        public HashSet<long> Reserved = [];
        public long Length;
        private Dictionary<long, byte[]> _durableBlocks = new();
        private HashSet<long> _durableReserved = [];
        private long _durableLength;

        public void MakeDurable()
        {
            _durableBlocks = new Dictionary<long, byte[]>(Blocks);
            _durableReserved = [.. Reserved];
            _durableLength = Length;
        }

        public void RevertToDurable()
        {
            Blocks = new Dictionary<long, byte[]>(_durableBlocks);
            Reserved = [.. _durableReserved];
            Length = _durableLength;
        }
    }

    private sealed class Handle(SimulatedFileSystem fs, string path, Inode inode, long generation) : IFileHandle
    {
        private bool _disposed;

        public long Length { get { lock (fs._gate) { Check(); return inode.Length; } } }

        public void SetLength(long length)
        {
            lock (fs._gate)
            {
                Check();
                fs.Step();
                inode.Length = length;
                foreach (var b in inode.Blocks.Keys.Where(b => b << BlockSize.Shift >= length).ToList()) inode.Blocks.Remove(b);
                inode.Reserved.RemoveWhere(b => b << BlockSize.Shift >= length);
            }
        }

        public void Read(long offset, Span<byte> destination)
        {
            lock (fs._gate)
            {
                Check();
                while (!destination.IsEmpty)
                {
                    var block = BlockSize.BlockOf(offset);
                    var within = (int)(offset & (BlockSize.Bytes - 1));
                    var n = Math.Min(destination.Length, BlockSize.Bytes - within);
                    var readable = (int)Math.Clamp(inode.Length - offset, 0, n);
                    if (readable > 0 && inode.Blocks.TryGetValue(block, out var data)) data.AsSpan(within, readable).CopyTo(destination);
                    else destination[..readable].Clear();
                    destination[readable..n].Clear();
                    destination = destination[n..];
                    offset += n;
                }
            }
        }

        // Everything here is in memory: always "cached".
        public bool TryReadCached(long offset, Span<byte> destination)
        {
            Read(offset, destination);
            return true;
        }

        public void Write(long offset, ReadOnlySpan<byte> source)
        {
            lock (fs._gate)
            {
                Check();
                fs.Step();
                // Like pwrite on a full disk: whatever fits is written, then ENOSPC.
                while (!source.IsEmpty)
                {
                    var block = BlockSize.BlockOf(offset);
                    if (!inode.Blocks.ContainsKey(block) && !inode.Reserved.Remove(block)) fs.EnsureSpace(1);
                    var within = (int)(offset & (BlockSize.Bytes - 1));
                    var n = Math.Min(source.Length, BlockSize.Bytes - within);
                    var copy = new byte[BlockSize.Bytes];
                    if (inode.Blocks.TryGetValue(block, out var old)) old.CopyTo(copy, 0);
                    source[..n].CopyTo(copy.AsSpan(within));
                    inode.Blocks[block] = copy;
                    source = source[n..];
                    offset += n;
                    inode.Length = Math.Max(inode.Length, offset);
                }
            }
        }

        public void Allocate(long offset, long length)
        {
            lock (fs._gate)
            {
                Check();
                fs.Step();
                // Like fallocate on a full disk: what fits stays reserved, then ENOSPC.
                for (var b = BlockSize.BlockOf(offset); b < BlockSize.BlocksIn(offset + length); b++)
                {
                    if (inode.Blocks.ContainsKey(b) || inode.Reserved.Contains(b)) continue;
                    fs.EnsureSpace(1);
                    inode.Reserved.Add(b);
                }
            }
        }

        public void PunchHole(long offset, long length)
        {
            lock (fs._gate)
            {
                Check();
                fs.Step();
                var end = offset + length;
                for (var b = BlockSize.BlockOf(offset); b << BlockSize.Shift < end; b++)
                {
                    var from = Math.Max(offset, b << BlockSize.Shift);
                    var to = Math.Min(end, (b + 1) << BlockSize.Shift);
                    if (to - from == BlockSize.Bytes)
                    {
                        inode.Blocks.Remove(b);
                        inode.Reserved.Remove(b);
                    }
                    else if (inode.Blocks.TryGetValue(b, out var old))
                    {
                        var copy = (byte[])old.Clone();
                        copy.AsSpan((int)(from - (b << BlockSize.Shift)), (int)(to - from)).Clear();
                        inode.Blocks[b] = copy;
                    }
                }
            }
        }

        public void GetDataExtents(long offset, long length, List<BlockExtent> into)
        {
            lock (fs._gate)
            {
                Check();
                var first = BlockSize.BlockOf(offset);
                var end = BlockSize.BlocksIn(offset + length);
                foreach (var b in inode.Blocks.Keys.Where(b => b >= first && b < end).Order())
                    BlockExtent.AppendMerged(into, new BlockExtent(b, 1));
            }
        }

        public void Forget(long offset, long length)
        {
            lock (fs._gate) Check();
        }

        // Writeback without fsync makes nothing durable (sync_file_range commits no metadata, flushes no disk cache).
        public void StreamBehind(long writtenOffset, long writtenLength, long keepFrom)
        {
            lock (fs._gate)
            {
                Check();
                if (keepFrom > 0 && fs.FailWriteback?.Invoke(path) == true)
                {
                    fs.FailWriteback = null;
                    throw new IOException($"sync_file_range {path}: Input/output error", 5);
                }
            }
        }

        public void Fsync(bool dataOnly = false)
        {
            lock (fs._gate)
            {
                Check();
                fs.Step();
                if (fs.FailFsync?.Invoke(path) == true)
                {
                    fs.FailFsync = null;
                    throw new IOException($"fsync {path}: Input/output error", 5);
                }
                inode.MakeDurable();
            }
        }

        public void Dispose() => _disposed = true;

        private void Check()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (generation != fs._generation) throw new IOException($"{path}: handle from before a power cut", 5);
        }
    }
}

/// <summary>Thrown by <see cref="SimulatedFileSystem"/> at the operation where it cut power.</summary>
public sealed class PowerCutException(long operation) : Exception($"power cut at file operation {operation}");
