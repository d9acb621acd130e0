using System.Buffers.Binary;
using ActorStore.Blocks.Devices;

namespace ActorStore.Blocks.Chain;

/// <summary>
/// <c>dirty.log</c>: DRBD-style activity log (DESIGN §3) plus the flush revision; the same format serves <c>absent.log</c>
/// (regions written while a replica was away, 1 MiB each, cleared only when the engine says all are back). Before the first write
/// into an unmarked 4 MiB region, the region's bit is written and fdatasynced; writers that need marks
/// at the same moment share one fdatasync (group commit). A completed flush advances the revision; marks
/// are cleared lazily, as DRBD's activity log keeps its hot extents: only while more regions are marked
/// than the budget allows, and then those that saw no write for a whole flush interval (since the
/// previous flush began). A region in steady use never pays a mark after every flush, and what an
/// unclean stop leaves to reconcile stays bounded by the budget.
/// Layout, 4 KiB pages: pages 0 and 1 are alternating header slots (the newest valid one wins, so a
/// torn header write loses nothing); every further page is [crc32c][bitmap]. A bitmap page that fails
/// its checksum was torn by a crash while being marked, and all its regions count as dirty.
/// Not thread-safe for flushes: the replica serialises them and holds its exclusive lock around
/// <see cref="BeginFlush"/> and <see cref="CompleteFlush"/>.
/// </summary>
internal sealed class DirtyRegionLog : IDisposable
{
    /// <summary>The dirty-region log's regions: 4 MiB, as DRBD's activity log extents.</summary>
    public const int DirtyShift = 22;

    /// <summary>The absent log's regions: 1 MiB, so a catch-up after scattered writes copies little more than they wrote.</summary>
    public const int AbsentShift = 20;
    private const uint Magic = 0x4C445341; // "ASDL"
    private const ushort Version = 1;
    private const int Page = BlockSize.Bytes;
    private const int HeaderSlots = 2;
    private const int RegionsPerPage = (Page - 4) * 8;

    private readonly IFileHandle _file;
    private readonly object _markGate = new();
    private readonly object _syncGate = new();
    private readonly List<int> _pendingRegions = [];
    private readonly HashSet<int> _pendingPages = [];
    private readonly List<(int Page, byte[] Image)> _syncCopies = [];
    private long _queuedGeneration;
    private long _syncedGeneration;
    private readonly HashSet<int> _markedRegions = [];
    private readonly List<int> _flushCandidates = [];
    private readonly byte[] _headerPage = new byte[Page];
    private byte[][] _pages;
    private byte[] _marked;   // 1 once the region's bit is durable
    private byte[] _touched;  // 1 when written since the last BeginFlush
    private byte[] _sticky;   // 1 when dirty at open or after a failed write: kept until the engine reconciles
    private long _sequence;

    private readonly int _shift;

    private readonly string _name;

    private DirtyRegionLog(IFileHandle file, string name, int shift, int regions, long revision, long sequence)
    {
        _file = file;
        _name = name;
        _shift = shift;
        _pages = new byte[PagesFor(regions)][];
        for (var i = 0; i < _pages.Length; i++) _pages[i] = new byte[Page];
        _marked = new byte[regions];
        _touched = new byte[regions];
        _sticky = new byte[regions];
        Revision = revision;
        _sequence = sequence;
    }

    public long Revision { get; private set; }

    /// <param name="shift">Region size as a power of two: <see cref="DirtyShift"/> or <see cref="AbsentShift"/>.</param>
    public static DirtyRegionLog Create(IFileSystem fs, string path, long volumeSize, int shift = DirtyShift)
    {
        var file = fs.Open(path, create: true);
        try
        {
            var log = new DirtyRegionLog(file, Path.GetFileName(path), shift, RegionsFor(volumeSize, shift), revision: 0, sequence: 0);
            file.SetLength(0);
            log.WriteHeader();
            log.WriteHeader();
            log.WritePages(0, log._pages.Length);
            Durably.Fsync(file, Path.GetFileName(path));
            return log;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public static DirtyRegionLog Open(IFileSystem fs, string path, long volumeSize, string directory, int shift = DirtyShift)
    {
        var file = fs.Open(path, create: false);
        try
        {
            var page = new byte[Page];
            (long Sequence, long Revision)? best = null;
            for (var slot = 0; slot < HeaderSlots; slot++)
            {
                file.Read(slot * Page, page);
                if (TryReadHeader(page, directory, shift) is { } h && (best is null || h.Sequence > best.Value.Sequence)) best = h;
            }
            if (best is null) throw new ReplicaCorruptException(directory, $"{Path.GetFileName(path)} has no valid header");
            var regions = RegionsFor(volumeSize, shift);
            var log = new DirtyRegionLog(file, Path.GetFileName(path), shift, regions, best.Value.Revision, best.Value.Sequence);
            for (var p = 0; p < log._pages.Length; p++)
            {
                var image = log._pages[p];
                file.Read((HeaderSlots + p) * (long)Page, image);
                var torn = BinaryPrimitives.ReadUInt32LittleEndian(image) != Crc32C.Compute(image.AsSpan(4));
                for (var r = p * RegionsPerPage; r < Math.Min(regions, (p + 1) * RegionsPerPage); r++)
                {
                    if (torn) SetBit(image, r);
                    if (!GetBit(image, r)) continue;
                    log.Remember(r);
                    log._sticky[r] = 1; // this replica may differ from the others here until the engine reconciles
                }
            }
            return log;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Regions that may differ from other replicas: written after the last completed flush.</summary>
    public IReadOnlyList<BlockExtent> DirtyRegions(long volumeSize)
    {
        var blocks = BlockSize.BlocksIn(volumeSize);
        var list = new List<BlockExtent>();
        int[] marked;
        lock (_markGate) marked = [.. _markedRegions];
        foreach (var r in marked.Order())
        {
            var start = (long)r << (_shift - BlockSize.Shift);
            BlockExtent.AppendMerged(list, new BlockExtent(start, Math.Min(blocks, start + (1L << (_shift - BlockSize.Shift))) - start));
        }
        return list;
    }

    /// <summary>Called before a write reaches the head: marks its regions durably when they are not yet marked.</summary>
    public void NoteWrite(long offset, long length)
    {
        var last = (int)((offset + length - 1) >> _shift);
        for (var r = (int)(offset >> _shift); r <= last; r++)
        {
            if (Volatile.Read(ref _marked[r]) == 0) MarkDurably(r);
            if (_touched[r] == 0) _touched[r] = 1; // read first: a store on every write would bounce the line between cores
        }
    }

    /// <summary>
    /// Under the replica's exclusive lock: when more than <paramref name="budget"/> regions are marked,
    /// picks those idle since the previous flush began.
    /// </summary>
    public void BeginFlush(int budget)
    {
        _flushCandidates.Clear();
        lock (_markGate)
        {
            var over = _markedRegions.Count > budget;
            foreach (var r in _markedRegions)
            {
                if (over && _touched[r] == 0 && _sticky[r] == 0) _flushCandidates.Add(r);
                _touched[r] = 0;
            }
        }
    }

    /// <summary>Clears the candidates still untouched, advances the revision; durable after <see cref="Fsync"/>.</summary>
    public void CompleteFlush()
    {
        lock (_markGate)
        {
            Clear(_flushCandidates.Where(r => _touched[r] == 0).ToList());
            Revision++;
            WriteHeader();
        }
    }

    /// <summary>Under the mark gate: forgets these regions and writes each page that changed once.</summary>
    private void Clear(List<int> regions)
    {
        foreach (var r in regions)
        {
            ClearBit(_pages[r / RegionsPerPage], r);
            _marked[r] = 0;
            _sticky[r] = 0;
            _markedRegions.Remove(r);
        }
        foreach (var page in regions.Select(r => r / RegionsPerPage).Distinct()) WritePages(page, 1);
    }

    /// <summary>A write into these regions failed partway: they stay dirty until <see cref="ClearAll"/> with <c>includingFailed</c>.</summary>
    public void KeepDirty(long offset, long length)
    {
        var last = (int)((offset + length - 1) >> _shift);
        for (var r = (int)(offset >> _shift); r <= last; r++)
        {
            if (Volatile.Read(ref _marked[r]) == 0) MarkDurably(r);
            _sticky[r] = 1;
        }
    }

    /// <summary>
    /// Forgets the marks, after the last flush of a clean close (regions dirty at open or touched by a
    /// failed write stay) or, with <paramref name="includingFailed"/>, once the engine has made every
    /// replica equal. Durable after <see cref="Fsync"/>.
    /// </summary>
    public void ClearAll(bool includingFailed)
    {
        lock (_markGate) Clear(_markedRegions.Where(r => includingFailed || _sticky[r] == 0).ToList());
    }

    /// <summary>
    /// Every page of the log is written (allocated) when created or resized, so later updates are in-place
    /// and fdatasync suffices. After one failure every later call fails too: Linux reports a writeback
    /// error once, so a later fdatasync that "succeeds" proves nothing.
    /// </summary>
    public void Fsync() => Sync(dataOnly: true);

    private void Sync(bool dataOnly)
    {
        if (_broken) throw new FsyncFailedException(_name, new IOException("an earlier fsync of the log failed"));
        try
        {
            Durably.Fsync(_file, _name, dataOnly);
        }
        catch (FsyncFailedException)
        {
            _broken = true;
            throw;
        }
    }

    private volatile bool _broken;

    public void Resize(long volumeSize)
    {
        var regions = RegionsFor(volumeSize, _shift);
        var oldPages = _pages.Length;
        var pages = PagesFor(regions);
        Array.Resize(ref _pages, pages);
        for (var i = oldPages; i < pages; i++) _pages[i] = new byte[Page];
        Array.Resize(ref _marked, regions);
        Array.Resize(ref _touched, regions);
        Array.Resize(ref _sticky, regions);
        WritePages(oldPages, pages - oldPages);
        Sync(dataOnly: false); // the file grew: its size must be durable too
    }

    public void Dispose() => _file.Dispose();

    /// <summary>
    /// Sets the region's bit and returns once it is durable. Whoever holds the sync gate writes every
    /// page with a pending bit and fdatasyncs once for all of them.
    /// </summary>
    private void MarkDurably(int region)
    {
        long ticket;
        lock (_markGate)
        {
            if (_marked[region] != 0) return;
            if (!_pendingRegions.Contains(region))
            {
                SetBit(_pages[region / RegionsPerPage], region);
                _pendingRegions.Add(region);
                _pendingPages.Add(region / RegionsPerPage);
            }
            ticket = _queuedGeneration + 1;
        }
        lock (_syncGate)
        {
            if (Volatile.Read(ref _syncedGeneration) >= ticket) return;
            int[] regions;
            lock (_markGate)
            {
                _queuedGeneration++;
                regions = [.. _pendingRegions];
                _pendingRegions.Clear();
                _syncCopies.Clear();
                foreach (var p in _pendingPages) _syncCopies.Add((p, (byte[])_pages[p].Clone()));
                _pendingPages.Clear();
            }
            try
            {
                foreach (var (page, image) in _syncCopies)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(image, Crc32C.Compute(image.AsSpan(4)));
                    _file.Write((HeaderSlots + page) * (long)Page, image);
                }
                Fsync();
            }
            catch
            {
                // Not durable: the next writer that needs a mark tries these again.
                lock (_markGate)
                {
                    _pendingRegions.AddRange(regions);
                    foreach (var (page, _) in _syncCopies) _pendingPages.Add(page);
                }
                throw;
            }
            lock (_markGate)
            {
                foreach (var r in regions) Remember(r);
                Volatile.Write(ref _syncedGeneration, _queuedGeneration);
            }
        }
    }

    private void Remember(int region)
    {
        if (_marked[region] != 0) return;
        _markedRegions.Add(region);
        Volatile.Write(ref _marked[region], 1);
    }

    private void WriteHeader()
    {
        _sequence++;
        var h = _headerPage.AsSpan();
        h.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(h, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(h[8..], _sequence);
        BinaryPrimitives.WriteInt64LittleEndian(h[16..], Revision);
        BinaryPrimitives.WriteInt32LittleEndian(h[24..], _shift);
        BinaryPrimitives.WriteUInt32LittleEndian(h[(Page - 4)..], Crc32C.Compute(h[..(Page - 4)]));
        _file.Write(_sequence % HeaderSlots * Page, h);
    }

    private static (long Sequence, long Revision)? TryReadHeader(ReadOnlySpan<byte> page, string directory, int shift)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(page) != Magic) return null;
        if (BinaryPrimitives.ReadUInt32LittleEndian(page[(Page - 4)..]) != Crc32C.Compute(page[..(Page - 4)])) return null;
        var version = BinaryPrimitives.ReadUInt16LittleEndian(page[4..]);
        if (version != Version) throw new ReplicaCorruptException(directory, $"a region log has version {version}, this build reads {Version}");
        if (BinaryPrimitives.ReadInt32LittleEndian(page[24..]) != shift) throw new ReplicaCorruptException(directory, "a region log has another region size");
        return (BinaryPrimitives.ReadInt64LittleEndian(page[8..]), BinaryPrimitives.ReadInt64LittleEndian(page[16..]));
    }

    private void WritePages(int first, int count)
    {
        for (var p = first; p < first + count; p++)
        {
            var image = _pages[p];
            BinaryPrimitives.WriteUInt32LittleEndian(image, Crc32C.Compute(image.AsSpan(4)));
            _file.Write((HeaderSlots + p) * (long)Page, image);
        }
    }

    private static int RegionsFor(long volumeSize, int shift) => checked((int)((volumeSize + (1L << shift) - 1) >> shift));

    private static int PagesFor(int regions) => Math.Max(1, (regions + RegionsPerPage - 1) / RegionsPerPage);

    private static bool GetBit(byte[] page, int region) => (page[4 + (region % RegionsPerPage >> 3)] & (1 << (region & 7))) != 0;

    private static void SetBit(byte[] page, int region) => page[4 + (region % RegionsPerPage >> 3)] |= (byte)(1 << (region & 7));

    private static void ClearBit(byte[] page, int region) => page[4 + (region % RegionsPerPage >> 3)] &= (byte)~(1 << (region & 7));
}
