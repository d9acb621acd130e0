namespace ActorStore.Blocks.Chain;

/// <summary>
/// <c>volume.meta</c>: the replica's identity and the commit point of every change to the chain.
/// A layer file not named here is a leftover of an interrupted operation.
/// </summary>
internal sealed record VolumeMeta
{
    public required Guid VolumeId { get; init; }
    public required string ReplicaId { get; init; }
    public required long Epoch { get; init; }
    public required long Size { get; init; }
    public int SectorSize { get; init; } = 512;
    public required string Head { get; init; }
    public required int NextHeadNumber { get; init; }
    public required IReadOnlyList<string> Snapshots { get; init; }
    /// <summary>True while the replica is open for writing; a replica opened with it set was not closed cleanly.</summary>
    public bool Dirty { get; init; }
    public bool Rebuilding { get; init; }
}
