using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.Cli;

/// <summary>
/// What an eviction still waits for, from GET /volumes: the attached volumes with a replica on the node (or disk), whose
/// replicas are moving, and the detached ones, whose replicas move only once they are attached (nobody waits for those).
/// </summary>
public sealed record EvictionLeft(string Node, string? Disk, IReadOnlyList<string> Moving, IReadOnlyList<string> WaitingForAttach)
{
    public static EvictionLeft Of(string node, string? disk, IEnumerable<VolumeInfo> volumes)
    {
        var there = volumes.Where(v => (v.Replicas ?? []).Any(r => r.Node == node && (disk is null || r.Disk == disk)))
            .OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        return new EvictionLeft(node, disk,
            [.. there.Where(v => v.AttachedTo is not null).Select(v => v.Name)],
            [.. there.Where(v => v.AttachedTo is null).Select(v => v.Name)]);
    }

    /// <summary>Nothing left to wait for: no attached volume has a replica there.</summary>
    public bool IsDone => Moving.Count == 0;
}
