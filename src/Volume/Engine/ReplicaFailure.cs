using ActorStore.Blocks;

namespace ActorStore.Volume.Engine;

/// <summary>
/// A replica that failed an I/O request, with what it answered and to what. <paramref name="Epoch"/>: the epoch of the
/// channel that saw it (0 for failures found outside the I/O path); the volume ignores one from an older engine, whose
/// replica a salvage may have brought back since.
/// </summary>
public readonly record struct ReplicaFailure(string ReplicaId, ReplicaStatus Status, string Operation, long Epoch = 0);

/// <summary>
/// Where the I/O path reports what only the volume actor may act on. Failing replicas must be out of
/// the read set and their ERR persisted before the request that found them is acknowledged (DESIGN §3).
/// </summary>
public interface IReplicaFailureSink
{
    /// <summary>Marks the replicas ERR (persisted) and publishes a view without them. True once persisted; false if the persist failed.</summary>
    Task<bool> FailAsync(IReadOnlyList<ReplicaFailure> failures);

    /// <summary>A replica refused the epoch of the channel that reached it: a newer engine owns the volume, so this one must stop serving.</summary>
    void Fenced(string replicaId, long epoch);
}
