using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.Cli;

/// <summary>
/// What an eviction still waits for, from GET /volumes: every volume with a replica on the node (or disk), and among them
/// the detached ones, whose replicas move by an offline rebuild.
/// </summary>
public sealed record EvictionLeft(string Node, string? Disk, IReadOnlyList<string> Moving, IReadOnlyList<string> Offline)
{
    public static EvictionLeft Of(string node, string? disk, IEnumerable<VolumeInfo> volumes)
    {
        var there = volumes.Where(v => (v.Replicas ?? []).Any(r => r.Node == node && (disk is null || r.Disk == disk)))
            .OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        return new EvictionLeft(node, disk, [.. there.Select(v => v.Name)], [.. there.Where(v => v.AttachedTo is null).Select(v => v.Name)]);
    }

    /// <summary>Nothing left to wait for: no volume has a replica there.</summary>
    public bool IsDone => Moving.Count == 0;
}
