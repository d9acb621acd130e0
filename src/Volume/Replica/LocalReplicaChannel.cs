using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using BlockReplica = ActorStore.Blocks.Replica;

namespace ActorStore.Volume.Replicas;

/// <summary>
/// The engine's channel to a replica in its own process (DESIGN §3: no socket, no copy). Each call runs
/// the replica synchronously on the caller's thread and returns a completed ValueTask: nothing is
/// allocated. Fenced like the socket path: once the replica has accepted a newer epoch, every call
/// answers <see cref="ReplicaStatus.StaleEpoch"/>. The replica belongs to its owner (the ReplicaActor)
/// and is not disposed here.
/// </summary>
public sealed class LocalReplicaChannel : IReplicaChannel
{
    private readonly BlockReplica _replica;
    private readonly long _epoch;
    private volatile bool _disposed;

    private LocalReplicaChannel(BlockReplica replica, long epoch)
    {
        _replica = replica;
        _epoch = epoch;
        ReplicaId = replica.Identity.ReplicaId;
    }

    /// <summary>
    /// Opens a channel for the engine of <paramref name="epoch"/>: the replica records the epoch, or answers
    /// <see cref="ReplicaStatus.StaleEpoch"/> when a newer engine has taken over (then no channel).
    /// </summary>
    public static (ReplicaStatus Status, LocalReplicaChannel? Channel) Open(BlockReplica replica, long epoch)
    {
        ReplicaStatus status;
        try
        {
            status = replica.AcceptEpoch(epoch);
        }
        catch (ObjectDisposedException)
        {
            status = ReplicaStatus.IoError; // closed by its owner
        }
        return status == ReplicaStatus.Ok ? (status, new LocalReplicaChannel(replica, epoch)) : (status, null);
    }

    public string ReplicaId { get; }

    public bool IsLocal => true;

    public ValueTask<ReplicaStatus> ReadAsync(long offset, Memory<byte> destination)
    {
        if (Refused(out var refusal)) return new(refusal);
        try
        {
            return new(_replica.Read(offset, destination.Span));
        }
        catch (ObjectDisposedException)
        {
            return new(ReplicaStatus.IoError);
        }
    }

    public bool TryReadCached(long offset, Span<byte> destination) =>
        !Refused(out _) && _replica.TryReadCached(offset, destination);

    public ValueTask<ReplicaStatus> WriteAsync(long offset, ReadOnlyMemory<byte> data)
    {
        if (Refused(out var refusal)) return new(refusal);
        try
        {
            return new(_replica.Write(offset, data.Span));
        }
        catch (ObjectDisposedException)
        {
            return new(ReplicaStatus.IoError);
        }
    }

    public ValueTask<ReplicaStatus> WriteZeroesAsync(long offset, long length, bool allocate)
    {
        if (Refused(out var refusal)) return new(refusal);
        try
        {
            return new(_replica.WriteZeroes(offset, length, allocate));
        }
        catch (ObjectDisposedException)
        {
            return new(ReplicaStatus.IoError);
        }
    }

    public ValueTask<ReplicaStatus> TrimAsync(long offset, long length)
    {
        if (Refused(out var refusal)) return new(refusal);
        try
        {
            return new(_replica.Trim(offset, length));
        }
        catch (ObjectDisposedException)
        {
            return new(ReplicaStatus.IoError);
        }
    }

    public ValueTask<ReplicaStatus> FlushAsync()
    {
        if (Refused(out var refusal)) return new(refusal);
        try
        {
            return new(_replica.Flush());
        }
        catch (ObjectDisposedException)
        {
            return new(ReplicaStatus.IoError);
        }
    }

    public ValueTask<ReplicaStatus> GetAllocationAsync(long offset, long length, List<AllocationExtent> into)
    {
        if (Refused(out var refusal)) return new(refusal);
        try
        {
            return new(_replica.GetAllocation(offset, length, into));
        }
        catch (ObjectDisposedException)
        {
            return new(ReplicaStatus.IoError);
        }
    }

    /// <summary>After disposal every call answers IoError; the replica stays open (its owner closes it).</summary>
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        return ValueTask.CompletedTask;
    }

    private bool Refused(out ReplicaStatus status)
    {
        // A closed channel is a lost connection to the engine; a newer epoch means another engine took over.
        status = _disposed ? ReplicaStatus.IoError : _replica.Epoch > _epoch ? ReplicaStatus.StaleEpoch : ReplicaStatus.Ok;
        return status != ReplicaStatus.Ok;
    }
}
