namespace ActorStore.Volume.Engine;

/// <summary>
/// Which failed replicas bring a faulted volume back (Longhorn's salvage, DESIGN §2 and §3): of the replicas
/// that opened cleanly, the freshest serves — the highest revision (it advances with every flush), ties broken
/// by which replica failed last (it took writes the others missed) and then by the larger dirty-region log
/// (more recent writes it may hold). Replicas at the same revision, with the same size and the same snapshot
/// chain, differ at most in the regions their logs mark: they are reconciled from it. Every other replica
/// stays ERR for a rebuild, and the plan says why for each. Plain and deterministic: tested without an actor.
/// </summary>
public static class SalvagePlan
{
    /// <summary>A replica that opened for salvage: what it reported, and when the engine had failed it (null: it never failed).</summary>
    public sealed record Candidate(string ReplicaId, long Revision, long DirtyBytes, DateTimeOffset? FailedAt, long Size, IReadOnlyList<string> Chain);

    /// <summary>The replica that serves, the ones reconciled from it, the ones left ERR with the reason, and the reason for the pick.</summary>
    public sealed record Choice(string Source, IReadOnlyList<string> Reconciled, IReadOnlyList<(string ReplicaId, string Why)> Left, string Reason);

    public static Choice? Choose(IReadOnlyList<Candidate> candidates, long volumeSize)
    {
        var sized = candidates.Where(c => c.Size == volumeSize).ToArray();
        if (sized.Length == 0) return null;
        var ordered = sized
            .OrderByDescending(c => c.Revision)
            .ThenByDescending(c => c.FailedAt ?? DateTimeOffset.MaxValue)
            .ThenByDescending(c => c.DirtyBytes)
            .ThenBy(c => c.ReplicaId, StringComparer.Ordinal)
            .ToArray();
        var source = ordered[0];
        var reconciled = new List<string>();
        var left = candidates.Where(c => c.Size != volumeSize)
            .Select(c => (c.ReplicaId, $"its size {c.Size} is not the volume's {volumeSize}")).ToList();
        foreach (var c in ordered.Skip(1))
        {
            if (c.Revision < source.Revision) left.Add((c.ReplicaId, $"it is behind: revision {c.Revision}, the freshest has {source.Revision}"));
            else if (!c.Chain.SequenceEqual(source.Chain, StringComparer.Ordinal)) left.Add((c.ReplicaId, $"its snapshots ({Chain(c)}) differ from the freshest's ({Chain(source)})"));
            else reconciled.Add(c.ReplicaId);
        }
        var why = $"{source.ReplicaId} has the highest revision ({source.Revision})";
        var tied = ordered.Skip(1).Where(c => c.Revision == source.Revision).ToArray();
        if (tied.Length > 0)
            why += source.FailedAt is null ? " and never failed"
                : tied.Any(t => t.FailedAt == source.FailedAt) ? $" and the largest dirty-region log ({source.DirtyBytes} bytes) among those that failed last"
                : $" and failed last ({source.FailedAt:u})";
        return new Choice(source.ReplicaId, reconciled, left, why);
    }

    private static string Chain(Candidate c) => c.Chain.Count == 0 ? "none" : string.Join(" → ", c.Chain);
}
