using ActorStore.Blocks;

namespace ActorStore.Volume.Io;

/// <summary>
/// The engine's connection to one replica's data: in-process (the replica on the engine's own node)
/// or the replica's data endpoint over TCP. Many requests may be in flight at once, from many threads.
/// Every call returns the replica's own status; a broken connection returns <see cref="ReplicaStatus.IoError"/>
/// (and every later call does too), a refused epoch <see cref="ReplicaStatus.StaleEpoch"/>, a request past the
/// deadline on a replica in this process <see cref="ReplicaStatus.TimedOut"/> (and every later call does too).
/// Payload memory passed in belongs to the caller and is not used after the call completes — except a write
/// given up on past its deadline, whose memory stays held (<see cref="AbandonedMemory"/>) until the disk lets it go.
/// </summary>
public interface IReplicaChannel : IAsyncDisposable
{
    string ReplicaId { get; }

    /// <summary>Whether the replica lives in this process (reads prefer it).</summary>
    bool IsLocal { get; }

    /// <summary>The engine epoch the channel was opened under (what its failures and fencing are reported with).</summary>
    long Epoch { get; }

    /// <summary>True once every request will fail: the connection was lost (a dead node), a request timed out, or it was closed.</summary>
    bool IsBroken { get; }

    ValueTask<ReplicaStatus> ReadAsync(long offset, Memory<byte> destination);

    /// <summary>
    /// A read done at once on the caller's thread from the page cache, or false (nothing decided) when
    /// it cannot be: a replica behind a socket, data not cached, or anything wrong (ReadAsync reports it).
    /// </summary>
    bool TryReadCached(long offset, Span<byte> destination);

    /// <param name="track">A replica of the volume is away: the replica notes the regions in its absent log before it writes (DESIGN §3).</param>
    ValueTask<ReplicaStatus> WriteAsync(long offset, ReadOnlyMemory<byte> data, bool track = false);

    ValueTask<ReplicaStatus> WriteZeroesAsync(long offset, long length, bool allocate, bool track = false);

    ValueTask<ReplicaStatus> TrimAsync(long offset, long length, bool track = false);

    ValueTask<ReplicaStatus> FlushAsync();

    /// <summary>The replica's merged allocation of the range (see <see cref="Replica.GetAllocation"/>).</summary>
    ValueTask<ReplicaStatus> GetAllocationAsync(long offset, long length, List<AllocationExtent> into);

    // A rebuild's copy (DESIGN §5): a healthy replica's snapshot layers are read, a rebuilding one's staged layers written.

    /// <summary>
    /// Data extents of snapshot layer <paramref name="snapshot"/> meeting the range, in order. Over a socket a very
    /// fragmented range may come back shortened to a prefix: ask again from the end of the last extent.
    /// </summary>
    ValueTask<ReplicaStatus> GetLayerExtentsAsync(string snapshot, long offset, long length, List<AllocationExtent> into);

    /// <summary>Reads snapshot layer <paramref name="snapshot"/>'s own bytes (see <see cref="Replica.ReadLayer"/>).</summary>
    ValueTask<ReplicaStatus> ReadLayerAsync(string snapshot, long offset, Memory<byte> destination);

    /// <summary>Writes a piece of a staged layer (see <see cref="Replica.WriteStaged"/>).</summary>
    ValueTask<ReplicaStatus> WriteStagedAsync(string snapshot, long offset, ReadOnlyMemory<byte> data);
}
