using static ActorStore.Volume.Protocol.ReplicaProtocol;

namespace ActorStore.Volume.Engine;

/// <summary>
/// Whether a replica back from an absence can catch up (DESIGN §3), and how: every snapshot it holds must be one of the
/// healthy replica's, unchanged (same parent, same size; removed only if the healthy one is: a snapshot deleted while it
/// was away is marked removed on it too), and its head must stand on the healthy replica's head chain. Then its old head
/// is the first layer of that chain it lacks — a snapshot taken while it was away, or, if none was, the rebuild snapshot
/// about to be taken. Plain and deterministic: tested without an actor.
/// </summary>
public static class CatchUpRules
{
    /// <summary>
    /// The layer the old head becomes (<paramref name="Patch"/>), the layers it has (<paramref name="Have"/>) and those of
    /// them to mark removed (<paramref name="Remove"/>, deleted while it was away); or why not.
    /// </summary>
    public sealed record Plan(string? Patch, IReadOnlyList<string> Have, IReadOnlyList<string> Remove, string? Refusal);

    public static Plan Decide(LayerList returning, LayerList healthy, string rebuildSnapshot)
    {
        var theirs = healthy.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        var remove = new List<string>();
        foreach (var mine in returning.Layers)
        {
            if (!theirs.TryGetValue(mine.Name, out var same)) return Refuse($"it holds snapshot {mine.Name}, which the healthy replicas no longer have");
            if (same.Parent != mine.Parent || (mine.Removed && !same.Removed) || same.Size != mine.Size)
                return Refuse($"its snapshot {mine.Name} differs from the healthy replicas' (parent, removed or size)");
            if (same.Removed && !mine.Removed) remove.Add(mine.Name);
        }
        if (returning.HeadParent is { } p && !theirs.ContainsKey(p)) return Refuse($"its head stands on snapshot {p}, which the healthy replicas do not have");
        // The healthy head chain, top down to the layer the returning head stands on: the last one passed is the first it lacks.
        string? patch = null;
        for (var at = healthy.HeadParent; at != returning.HeadParent; at = theirs[at].Parent)
        {
            if (at is null) return Refuse($"its head stands on {returning.HeadParent ?? "no snapshot"}, which is not under the healthy replicas' head");
            patch = at;
        }
        var have = returning.Layers.Select(l => l.Name).ToArray();
        if (patch is not null && have.Contains(patch, StringComparer.Ordinal)) return Refuse($"it already holds snapshot {patch} above its head's");
        return new Plan(patch ?? rebuildSnapshot, have, remove, null);
    }

    private static Plan Refuse(string why) => new(null, [], [], why);
}
