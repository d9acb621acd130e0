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
    /// <summary>The machine's boot id when the replica was last opened: an unclean stop under the same one lost no page cache.</summary>
    public string? BootId { get; init; }
    /// <summary>
    /// An unclean stop across a reboot (or power cut) happened since the engine last reconciled the dirty regions: writes
    /// after the last flush may be missing from the files there, not only differ. Cleared with the dirty regions.
    /// </summary>
    public bool CacheLost { get; init; }
}
