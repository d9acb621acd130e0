using Akka.Persistence;

namespace ActorStore.Volume;

/// <summary>Which snapshots a persistent actor deletes once one is saved: those before it, and none after the first.</summary>
public static class SnapshotRetention
{
    /// <summary>
    /// The snapshots older than <paramref name="saved"/>, or null when it is the first event's (sequence number 1): a
    /// bound of 0 reads as no bound at all in some stores (the in-memory one deleted the snapshot just saved).
    /// </summary>
    public static SnapshotSelectionCriteria? Older(SnapshotMetadata saved) =>
        saved.SequenceNr > 1 ? new SnapshotSelectionCriteria(saved.SequenceNr - 1) : null;
}
