namespace ActorStore.Blocks.Devices;

/// <summary>An open file: positional I/O, hole punching, extent scan and fsync. Thread-safe for positional I/O.</summary>
public interface IFileHandle : IDisposable
{
    long Length { get; }

    void SetLength(long length);

    /// <summary>Reads up to <c>destination.Length</c> bytes at <paramref name="offset"/>; past the end of the file reads zeros.</summary>
    void Read(long offset, Span<byte> destination);

    void Write(long offset, ReadOnlySpan<byte> source);

    /// <summary>Deallocates the range (FALLOC_FL_PUNCH_HOLE | KEEP_SIZE): it reads as zeros and no longer counts as data.</summary>
    void PunchHole(long offset, long length);

    /// <summary>
    /// Appends the allocated ranges that intersect [offset, offset+length), widened to whole
    /// <see cref="BlockSize.Bytes"/> blocks, to <paramref name="into"/> in order. Unwritten
    /// (preallocated) and delayed-allocation extents count as data (DESIGN §4).
    /// </summary>
    void GetDataExtents(long offset, long length, List<BlockExtent> into);

    /// <summary>
    /// fsync(2), or fdatasync(2) when <paramref name="dataOnly"/>: enough for in-place overwrites of
    /// allocated blocks, and it spares ext4 a journal commit. Throws on failure; the caller must treat that as permanent.
    /// </summary>
    void Fsync(bool dataOnly = false);
}
