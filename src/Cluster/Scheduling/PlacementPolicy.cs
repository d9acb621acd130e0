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
            .Where(d => d.Schedulable && !avoid.Contains(new Placement(d.Node, d.Name))).ToArray();
        var roomy = disks.Where(d => Fits(d, request.Size)).ToArray();
        if (roomy.Length < request.Count)
        {
            var detail = disks.Length == 0
                ? "no schedulable disk: add one with `pbm node disk add NODE PATH` or enable scheduling"
                : $"a {Human(request.Size)} volume with {request.Count} replica(s) needs {request.Count} disks with room; {roomy.Length} of {disks.Length} schedulable disks have it"
                  + $" (largest schedulable room: {Human(disks.Max(Room))}); use a smaller size, fewer replicas, or add disks";
            return new NotPlaced(request.Volume, VolumeError.NoSpace, detail);
        }
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

    private static string Human(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.#} GiB" : $"{bytes / (double)(1L << 20):0.#} MiB";
}
