namespace ActorStore.Volume.Protocol;

/// <summary>Asks the node directory where new replicas of a volume should go (DESIGN §5 scheduling).</summary>
public static class PlacementProtocol
{
    /// <summary>
    /// <paramref name="Avoid"/> lists the (node, disk) pairs already holding replicas of the volume; with <paramref name="OtherNodesOnly"/>
    /// their nodes are never used (hard node anti-affinity), else only preferred against.
    /// </summary>
    public sealed record PlaceReplicas(string Volume, long Size, int Count, IReadOnlyList<Placement> Avoid, bool OtherNodesOnly = false) : IVolumeMessage;

    public sealed record Placement(string Node, string Disk) : IVolumeMessage;

    public sealed record Placed(string Volume, IReadOnlyList<Placement> Placements) : IVolumeMessage;

    public sealed record NotPlaced(string Volume, VolumeError Error, string Detail) : IVolumeMessage;
}
