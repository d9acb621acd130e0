using ActorStore.Volume.Protocol;
using static ActorStore.Cluster.Protocol.NodeProtocol;
using static ActorStore.Volume.Protocol.PlacementProtocol;

namespace ActorStore.Cluster.Scheduling;

/// <summary>
/// Picks a disk for each new replica of a volume (DESIGN §5): schedulable node and disk, room for the
/// whole volume within the over-provisioning limit and above the minimal free space, never a disk that
/// already holds a replica of the volume, other nodes preferred (soft node anti-affinity, so a single
/// node with two disks can hold a 2-replica volume), least used first.
/// </summary>
public sealed class PlacementPolicy(int overProvisioningPercent, int minimalAvailablePercent)
{
    public object Place(PlaceReplicas request, IReadOnlyList<NodeView> nodes)
    {
        var avoid = request.Avoid.ToHashSet();
        var usedNodes = request.Avoid.Select(a => a.Node).ToHashSet();
        var disks = nodes.Where(n => n.Status == "up" && n.Schedulable).SelectMany(n => n.Disks)
            .Where(d => d.Schedulable && !avoid.Contains(new Placement(d.Node, d.Name)) && !(request.OtherNodesOnly && usedNodes.Contains(d.Node))).ToArray();
        var roomy = disks.Where(d => Fits(d, request.Size)).ToArray();
        if (roomy.Length < request.Count) return new NotPlaced(request.Volume, VolumeError.NoSpace, WhyNot(request, disks, roomy.Length));
        var picked = new List<Placement>();
        for (var i = 0; i < request.Count; i++)
        {
            var next = roomy.Where(d => !picked.Any(p => p.Node == d.Node && p.Disk == d.Name))
                .OrderBy(d => usedNodes.Contains(d.Node) ? 1 : 0)
                .ThenBy(d => d.CapacityBytes == 0 ? 1.0 : (double)d.ScheduledBytes / d.CapacityBytes)
                .ThenBy(d => d.Node, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal)
                .First();
            picked.Add(new Placement(next.Node, next.Name));
            usedNodes.Add(next.Node);
        }
        return new Placed(request.Volume, picked);
    }

    private bool Fits(DiskView d, long size) =>
        d.ScheduledBytes + size <= d.CapacityBytes * (overProvisioningPercent / 100.0)
        && d.AvailableBytes >= d.CapacityBytes * (minimalAvailablePercent / 100.0)
        && size <= d.CapacityBytes;

    private long Room(DiskView d) => Math.Max(0, (long)(d.CapacityBytes * (overProvisioningPercent / 100.0)) - d.ScheduledBytes);

    /// <summary>Why too few disks can take the volume, counted by reason, so the operator knows what to change.</summary>
    private string WhyNot(PlaceReplicas request, DiskView[] disks, int roomy)
    {
        if (disks.Length == 0)
            return request.OtherNodesOnly
                ? "no schedulable disk on a node without a replica of this volume: add a node or a disk, or enable scheduling"
                : "no schedulable disk: add one with `pbm node disk add NODE PATH` or enable scheduling";
        var size = Human(request.Size);
        var largest = disks.Max(d => d.CapacityBytes);
        if (request.Size > largest)
            return $"a {size} volume is larger than any schedulable disk (the largest holds {Human(largest)}); use a size of at most {Human(largest)} or add a larger disk";
        var reasons = new List<string>();
        var small = disks.Count(d => request.Size > d.CapacityBytes);
        if (small > 0) reasons.Add($"{small} smaller than the volume");
        var low = disks.Count(d => request.Size <= d.CapacityBytes && d.AvailableBytes < d.CapacityBytes * (minimalAvailablePercent / 100.0));
        if (low > 0) reasons.Add($"{low} with less than {minimalAvailablePercent}% free");
        var full = disks.Count(d => request.Size <= d.CapacityBytes && d.AvailableBytes >= d.CapacityBytes * (minimalAvailablePercent / 100.0) && Room(d) < request.Size);
        if (full > 0) reasons.Add($"{full} already scheduled up to {overProvisioningPercent}% of their capacity (largest room left: {Human(disks.Max(Room))})");
        return $"a {size} volume with {request.Count} replica(s) needs {request.Count} disks with room, {roomy} of {disks.Length} schedulable disks have it"
            + (reasons.Count > 0 ? $" ({string.Join("; ", reasons)})" : "") + "; use a smaller size, fewer replicas, or add disks";
    }

    private static string Human(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.#} GiB" : $"{bytes / (double)(1L << 20):0.#} MiB";
}
