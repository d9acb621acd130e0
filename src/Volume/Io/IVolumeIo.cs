using ActorStore.Blocks;

namespace ActorStore.Volume.Io;

/// <summary>
/// The I/O side of an attached volume: what a frontend (the NBD session) calls for every request.
/// The engine implements it over its replica set; tests implement it in memory. Calls may run
/// concurrently from many threads and connections; the implementation orders writes to the same
/// 4 KiB block. Ranges are validated by the caller (offset + length within <see cref="Size"/>) but an
/// implementation must still refuse a bad one with <see cref="IoStatus.InvalidArgument"/>.
/// </summary>
public interface IVolumeIo
{
    /// <summary>The export name (the volume name).</summary>
    string Name { get; }

    /// <summary>The volume size in bytes (a multiple of 4096; constant while attached).</summary>
    long Size { get; }

    ValueTask<IoStatus> ReadAsync(long offset, Memory<byte> destination);

    /// <summary>
    /// The read done at once on the caller's thread, when that costs no wait: the data is in this
    /// process's page cache and the volume is not paused. False means nothing was decided (the span's
    /// content is undefined): call <see cref="ReadAsync"/>, which answers whatever it is.
    /// </summary>
    bool TryReadCached(long offset, Span<byte> destination);

    /// <summary>Writes <paramref name="data"/>; with <paramref name="fua"/> it is durable on every replica before this completes.</summary>
    ValueTask<IoStatus> WriteAsync(long offset, ReadOnlyMemory<byte> data, bool fua);

    /// <summary>
    /// Makes the range read as zeros. <paramref name="noHole"/>: keep it allocated (NBD_CMD_FLAG_NO_HOLE).
    /// <paramref name="fastOnly"/>: NBD_CMD_FLAG_FAST_ZERO — return <see cref="IoStatus.NotSupported"/>
    /// at once, changing nothing, unless the zeroing is cheap.
    /// </summary>
    ValueTask<IoStatus> WriteZeroesAsync(long offset, long length, bool noHole, bool fastOnly, bool fua);

    /// <summary>A hint that the range is unused; it may read back as anything afterwards (NBD_CMD_TRIM).</summary>
    ValueTask<IoStatus> TrimAsync(long offset, long length, bool fua);

    /// <summary>Makes every write completed before this call durable on every replica (NBD_CMD_FLUSH).</summary>
    ValueTask<IoStatus> FlushAsync();

    /// <summary>
    /// Appends the merged allocation of [offset, offset + length) to <paramref name="into"/>: data or
    /// holes (NBD base:allocation). The extents cover the range from its start, may stop early, and are
    /// never empty on success.
    /// </summary>
    ValueTask<IoStatus> GetAllocationAsync(long offset, long length, List<AllocationExtent> into);
}
