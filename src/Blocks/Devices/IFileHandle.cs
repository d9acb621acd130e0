namespace ActorStore.Blocks.Devices;

/// <summary>An open file: positional I/O, hole punching, extent scan and fsync. Thread-safe for positional I/O.</summary>
public interface IFileHandle : IDisposable
{
    long Length { get; }

    void SetLength(long length);

    /// <summary>Reads up to <c>destination.Length</c> bytes at <paramref name="offset"/>; past the end of the file reads zeros.</summary>
    void Read(long offset, Span<byte> destination);

    /// <summary>
    /// Like <see cref="Read"/> when every byte is in the page cache; false as soon as a byte would have
    /// to come from the disk (the span's content is then undefined). Never waits for the device.
    /// </summary>
    bool TryReadCached(long offset, Span<byte> destination);

    void Write(long offset, ReadOnlySpan<byte> source);

    /// <summary>
    /// Reserves disk space for the range without making it data (fallocate KEEP_SIZE: unwritten extents,
    /// which <see cref="GetDataExtents"/> reports as holes), so a later write into it allocates nothing.
    /// Throws (ENOSPC: <c>HResult == 28</c>) when the disk cannot hold it; part of the range may then be reserved.
    /// </summary>
    void Allocate(long offset, long length);

    /// <summary>Deallocates the range (FALLOC_FL_PUNCH_HOLE | KEEP_SIZE): it reads as zeros and no longer counts as data.</summary>
    void PunchHole(long offset, long length);

    /// <summary>
    /// Appends the ranges holding data that intersect [offset, offset+length), widened to whole
    /// <see cref="BlockSize.Bytes"/> blocks, to <paramref name="into"/> in order. Dirty pages are
    /// written back first. Unwritten extents are not data: the store never makes them (its zeroes are
    /// written as zero bytes), so one can only be what a power cut during writeback left behind
    /// (ext4 allocates unwritten extents at writeback and converts them once the data is on disk), and
    /// treating it as data would let a write that was never made durable read back as zeros.
    /// </summary>
    void GetDataExtents(long offset, long length, List<BlockExtent> into);

    /// <summary>
    /// fsync(2), or fdatasync(2) when <paramref name="dataOnly"/>: enough for in-place overwrites of
    /// allocated blocks, and it spares ext4 a journal commit. Throws on failure; the caller must treat that as permanent.
    /// </summary>
    void Fsync(bool dataOnly = false);

    /// <summary>
    /// For data that streams through once (a rebuild's staged layer): starts the writeback of a range just written, and
    /// writes back and drops from the page cache everything below <paramref name="keepFrom"/>. The cache then recycles
    /// a few megabytes instead of growing by the whole layer (on a VM, fresh pages cost far more than reused ones), and
    /// the layer's fsync finds little left to write. Throws as a write does when the writeback fails.
    /// </summary>
    void StreamBehind(long writtenOffset, long writtenLength, long keepFrom);

    /// <summary>Drops the range's clean pages from the page cache (advice: never fails), after a read that streams through once.</summary>
    void Forget(long offset, long length);
}
