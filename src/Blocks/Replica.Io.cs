using System.Buffers;
using ActorStore.Blocks.Chain;
using ActorStore.Blocks.Devices;

namespace ActorStore.Blocks;

// The data path: read, write, write-zeroes, trim and flush (DESIGN §3–4). Nothing here allocates
// per request: partial blocks borrow a pooled 4 KiB buffer, zeroes come from one shared buffer.
public sealed partial class Replica
{
    private static readonly byte[] Zeros = new byte[1 << 20];

    public ReplicaStatus Read(long offset, Span<byte> destination)
    {
        if (!InRange(offset, destination.Length)) return ReplicaStatus.OutOfRange;
        if (_failed) return ReplicaStatus.Failed;
        var gate = EnterIo();
        try
        {
            ReadRuns(_index, _byId, offset, destination, cachedOnly: false);
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
    /// <see cref="Read"/> when it can be done at once from the page cache: false (nothing decided, the span's
    /// content undefined) when a byte would have to come from the disk, a chain change holds the I/O gate,
    /// or anything is wrong; the caller then reads the ordinary way, which reports whatever it is. Lets a
    /// network thread serve a cached read without handing it to another thread, and never wait on a disk.
    /// </summary>
    public bool TryReadCached(long offset, Span<byte> destination)
    {
        if (!InRange(offset, destination.Length) || _failed || _closing) return false;
        if (!_io.TryEnterShared(out var gate)) return false;
        try
        {
            return !_closing && ReadRuns(_index, _byId, offset, destination, cachedOnly: true);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _io.ExitShared(gate);
        }
    }

    /// <summary>
    /// Reads through a read index: one pread per run of blocks that one layer holds (<paramref name="byId"/>
    /// names the layers by index id); runs no layer holds are cleared. Serves the head and snapshot readers.
    /// (Batching the preads of a fragmented read through io_uring was measured: about 3% on 1 MiB reads
    /// over 20 interleaved layers, within the noise, so the simpler loop stays.) With
    /// <paramref name="cachedOnly"/> it stops with false at the first run not wholly in the page cache.
    /// </summary>
    private static bool ReadRuns(ReadIndex index, Layer?[] byId, long offset, Span<byte> destination, bool cachedOnly)
    {
        var block = BlockSize.BlockOf(offset);
        var lastBlock = BlockSize.BlockOf(offset + destination.Length - 1);
        while (!destination.IsEmpty)
        {
            var run = index.Run(block, lastBlock - block + 1, out var layer);
            var n = (int)Math.Min(destination.Length, ((block + run) << BlockSize.Shift) - offset);
            if (layer == 0) destination[..n].Clear();
            else if (!cachedOnly) byId[layer]!.Handle.Read(offset, destination[..n]);
            else if (!byId[layer]!.Handle.TryReadCached(offset, destination[..n])) return false;
            destination = destination[n..];
            offset += n;
            block += run;
        }
        return true;
    }

    /// <param name="epoch">
    /// The engine epoch the write belongs to (DESIGN §2 fencing): refused with <see cref="ReplicaStatus.StaleEpoch"/>
    /// when the replica has accepted a newer one. Checked inside the I/O gate, which <see cref="AcceptEpoch"/> drains,
    /// so no write of an older engine lands after a newer one is accepted. Callers that are no engine leave it out.
    /// </param>
    /// <param name="track">A replica of the volume is away: the write's regions go durably into the absent log first (see <see cref="AbsentRegions"/>).</param>
    public ReplicaStatus Write(long offset, ReadOnlySpan<byte> data, long epoch = AnyEpoch, bool track = false)
    {
        if (!InRange(offset, data.Length)) return ReplicaStatus.OutOfRange;
        if (_failed) return ReplicaStatus.Failed;
        if (data.IsEmpty) return ReplicaStatus.Ok;
        var gate = EnterIo();
        try
        {
            if (epoch < _meta.Epoch) return ReplicaStatus.StaleEpoch;
            if (track) _absent.NoteWrite(offset, data.Length);
            _log.NoteWrite(offset, data.Length);
            WriteSpan(offset, data);
            return ReplicaStatus.Ok;
        }
        catch (IOException e)
        {
            return AfterFailedWrite(e, offset, data.Length);
        }
        finally
        {
            _io.ExitShared(gate);
        }
    }

    /// <summary>
    /// For a writer that moves forward through the volume (a restore): starts writing the range of the head to the disk now,
    /// and waits for the pages well behind it to be written and drops them, as a rebuild does with a staged layer (see
    /// <see cref="IFileHandle.StreamBehind"/>): the page cache reuses a few megabytes instead of taking fresh pages, and the
    /// flush finds the disk done. A failed writeback fails the replica: the kernel reports it here, once, and drops the
    /// pages, so the next fsync would succeed without them.
    /// </summary>
    public ReplicaStatus WriteBehind(long offset, long length)
    {
        if (!InRange(offset, length)) return ReplicaStatus.OutOfRange;
        if (_failed) return ReplicaStatus.Failed;
        var gate = EnterIo();
        try
        {
            _head.Handle.StreamBehind(offset, length, keepFrom: offset - StreamLag);
            return ReplicaStatus.Ok;
        }
        catch (IOException)
        {
            Fail();
            return ReplicaStatus.Failed;
        }
        finally
        {
            _io.ExitShared(gate);
        }
    }

    /// <summary>
    /// Makes the range read as zeros. Where a lower layer holds a block, real zero bytes go into the head
    /// (a hole would show the old data again, DESIGN §4). Elsewhere the head's blocks are punched out,
    /// unless <paramref name="allocate"/> (NBD's NO_HOLE) asks for them to stay allocated.
    /// </summary>
    public ReplicaStatus WriteZeroes(long offset, long length, bool allocate = false, long epoch = AnyEpoch, bool track = false) =>
        Discard(offset, length, zero: true, allocate, epoch, track);

    /// <summary>
    /// A hint that the range is unused: blocks only the head holds are punched out (they read as zeros);
    /// blocks a lower layer holds, partial blocks, and everything while rebuilding are left as they are.
    /// </summary>
    public ReplicaStatus Trim(long offset, long length, long epoch = AnyEpoch, bool track = false) => Discard(offset, length, zero: false, allocate: false, epoch, track);

    /// <summary>
    /// Makes every write completed before the call durable: fsync of the head, then the dirty-region log
    /// forgets regions not written since, and the revision advances (DESIGN §3).
    /// </summary>
    public ReplicaStatus Flush(long epoch = AnyEpoch)
    {
        lock (_control)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_failed) return ReplicaStatus.Failed;
            if (epoch < _meta.Epoch) return ReplicaStatus.StaleEpoch;
            try
            {
                _io.EnterExclusive();
                try
                {
                    _log.BeginFlush(_options.DirtyRegionBudget);
                }
                finally
                {
                    _io.ExitExclusive();
                }
                Durably.Fsync(_head.Handle, _head.File);
                _io.EnterExclusive();
                try
                {
                    _log.CompleteFlush();
                }
                finally
                {
                    _io.ExitExclusive();
                }
                _log.Fsync();
                return ReplicaStatus.Ok;
            }
            catch (IOException e)
            {
                // The head or the log may not be durable and cannot be retried honestly: only a rebuild is safe.
                Classify(e);
                Fail();
                return ReplicaStatus.Failed;
            }
        }
    }

    /// <summary>
    /// A write that failed (ENOSPC above all) may have reached part of its range: pwrite writes what fits.
    /// The read index is made to agree with what the head file now holds there, and the range stays in
    /// the dirty-region log until the engine has reconciled it, since other replicas may hold another part.
    /// </summary>
    private ReplicaStatus AfterFailedWrite(IOException error, long offset, long length)
    {
        var status = Classify(error);
        if (status == ReplicaStatus.Failed) return status;
        try
        {
            _log.KeepDirty(offset, length);
            var held = new List<BlockExtent>();
            var first = BlockSize.BlockOf(offset);
            _head.Handle.GetDataExtents(first << BlockSize.Shift, (BlockSize.BlocksIn(offset + length) - first) << BlockSize.Shift, held);
            foreach (var e in held) _index.SetRange(e.Start, Math.Min(e.End, _index.Blocks) - e.Start, _head.Id);
        }
        catch (IOException)
        {
            // What the head holds is unknown now: this replica can no longer be trusted.
            Fail();
            return ReplicaStatus.Failed;
        }
        return status;
    }

    /// <summary>The head's space reservations, over the current head and read index (a struct: nothing allocated).</summary>
    private HeadSpace Space => new(_index, _head);

    private bool InRange(long offset, long length) => offset >= 0 && length >= 0 && offset <= _meta.Size - length;

    /// <summary>Writes into the head: whole blocks directly, partial blocks after a copy-up from the layer below.</summary>
    private void WriteSpan(long offset, ReadOnlySpan<byte> data)
    {
        Space.Reserve(BlockSize.BlockOf(offset), BlockSize.BlocksIn(offset + data.Length));
        var within = (int)(offset & (BlockSize.Bytes - 1));
        if (within != 0)
        {
            var n = Math.Min(data.Length, BlockSize.Bytes - within);
            WritePartial(BlockSize.BlockOf(offset), within, data[..n]);
            data = data[n..];
            offset += n;
        }
        var whole = data.Length & ~(BlockSize.Bytes - 1);
        if (whole > 0)
        {
            _head.Handle.Write(offset, data[..whole]);
            _index.SetRange(BlockSize.BlockOf(offset), whole >> BlockSize.Shift, _head.Id);
            data = data[whole..];
            offset += whole;
        }
        if (!data.IsEmpty) WritePartial(BlockSize.BlockOf(offset), 0, data);
    }

    private void WritePartial(long block, int within, ReadOnlySpan<byte> part)
    {
        var holder = _index[block];
        var blockOffset = block << BlockSize.Shift;
        if (holder == _head.Id || holder == 0)
        {
            // The rest of the block is already the head's, or zeros everywhere below.
            _head.Handle.Write(blockOffset + within, part);
        }
        else
        {
            var buffer = ArrayPool<byte>.Shared.Rent(BlockSize.Bytes);
            try
            {
                var copy = buffer.AsSpan(0, BlockSize.Bytes);
                _byId[holder]!.Handle.Read(blockOffset, copy);
                part.CopyTo(copy[within..]);
                _head.Handle.Write(blockOffset, copy);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        _index.Set(block, _head.Id);
    }

    private ReplicaStatus Discard(long offset, long length, bool zero, bool allocate, long epoch, bool track)
    {
        if (!InRange(offset, length)) return ReplicaStatus.OutOfRange;
        if (_failed) return ReplicaStatus.Failed;
        if (length == 0) return ReplicaStatus.Ok;
        var gate = EnterIo();
        try
        {
            if (epoch < _meta.Epoch) return ReplicaStatus.StaleEpoch;
            if (!zero && _meta.Rebuilding) return ReplicaStatus.Ok; // checked inside the gate: SetRebuilding drains I/O
            allocate |= _meta.Rebuilding; // what lies below may not be copied yet: never let it show through
            if (track) _absent.NoteWrite(offset, length);
            _log.NoteWrite(offset, length);
            if (zero) Space.ReserveForZeroes(offset, length, allocate);
            var first = BlockSize.BlockOf(offset + BlockSize.Bytes - 1);
            var end = BlockSize.BlockOf(offset + length);
            if (first >= end)
            {
                // Inside one block: only zeroing changes anything.
                if (zero) WriteSpan(offset, Zeros.AsSpan(0, (int)length));
                return ReplicaStatus.Ok;
            }
            if (zero)
            {
                var head = (first << BlockSize.Shift) - offset;
                if (head > 0) WriteSpan(offset, Zeros.AsSpan(0, (int)head));
                var tail = offset + length - (end << BlockSize.Shift);
                if (tail > 0) WriteSpan(end << BlockSize.Shift, Zeros.AsSpan(0, (int)tail));
            }
            DiscardBlocks(first, end, zero, allocate);
            return ReplicaStatus.Ok;
        }
        catch (IOException e)
        {
            return AfterFailedWrite(e, offset, length);
        }
        finally
        {
            _io.ExitShared(gate);
        }
    }

    private void DiscardBlocks(long block, long end, bool zero, bool allocate)
    {
        var lower = new List<BlockExtent>();
        while (block < end)
        {
            var run = _index.Run(block, end - block, out var layer);
            if (layer == 0)
            {
                if (zero && allocate) WriteZeroBlocks(block, run);
            }
            else if (layer != _head.Id)
            {
                if (zero) WriteZeroBlocks(block, run);
            }
            else
            {
                // The head holds these blocks: punch where nothing below shows through, else keep or zero.
                lower.Clear();
                LowerExtents(block, run, lower);
                var at = block;
                foreach (var e in lower.Append(new BlockExtent(block + run, 0)))
                {
                    if (e.Start > at)
                    {
                        if (zero && allocate) WriteZeroBlocks(at, e.Start - at);
                        else
                        {
                            _head.Handle.PunchHole(at << BlockSize.Shift, (e.Start - at) << BlockSize.Shift);
                            _index.SetRange(at, e.Start - at, 0);
                        }
                    }
                    if (zero && e.Count > 0) WriteZeroBlocks(e.Start, e.Count);
                    at = e.End;
                }
            }
            block += run;
        }
    }

    /// <summary>Blocks in [block, block+count) that some layer below the head holds, sorted and merged.</summary>
    private void LowerExtents(long block, long count, List<BlockExtent> into)
    {
        var lists = new List<IReadOnlyList<BlockExtent>>();
        foreach (var layer in _byId)
        {
            if (layer is null || layer == _head) continue;
            var extents = new List<BlockExtent>();
            layer.Handle.GetDataExtents(block << BlockSize.Shift, count << BlockSize.Shift, extents);
            lists.Add(extents);
        }
        foreach (var e in BlockExtent.Union(lists))
        {
            var s = Math.Max(e.Start, block);
            var t = Math.Min(e.End, block + count);
            if (t > s) BlockExtent.AppendMerged(into, new BlockExtent(s, t - s));
        }
    }

    private void WriteZeroBlocks(long block, long count)
    {
        Space.Reserve(block, block + count);
        var offset = block << BlockSize.Shift;
        var end = (block + count) << BlockSize.Shift;
        while (offset < end)
        {
            var n = (int)Math.Min(Zeros.Length, end - offset);
            _head.Handle.Write(offset, Zeros.AsSpan(0, n));
            offset += n;
        }
        _index.SetRange(block, count, _head.Id);
    }
}
