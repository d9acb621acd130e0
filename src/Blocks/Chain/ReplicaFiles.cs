namespace ActorStore.Blocks.Chain;

/// <summary>File names inside a replica directory (DESIGN §4).</summary>
internal static class ReplicaFiles
{
    public const string VolumeMeta = "volume.meta";
    public const string DirtyLog = "dirty.log";
    /// <summary>Regions written while a replica of the volume was away, for its catch-up (DESIGN §3); same format as dirty.log.</summary>
    public const string AbsentLog = "absent.log";
    /// <summary>Present while a replica is being created: without it, layer files and no volume.meta mean corruption.</summary>
    public const string CreatingMarker = "creating";
    /// <summary>Written when an fsync failed (or what the head holds became unknown): the replica is never trusted again, across restarts too.</summary>
    public const string FailedMarker = "failed";
    public const string MetaSuffix = ".meta";
    private const string HeadPrefix = "volume-head-";
    private const string SnapshotPrefix = "volume-snap-";
    private const string StagedPrefix = "staged-snap-";
    private const string ImageSuffix = ".img";

    public static string Head(int number) => $"{HeadPrefix}{number:D3}{ImageSuffix}";

    public static string Snapshot(string name) => $"{SnapshotPrefix}{name}{ImageSuffix}";

    public static string MetaOf(string layerFile) => layerFile + MetaSuffix;

    /// <summary>A snapshot layer being copied in by a rebuild; forgotten (deleted) if the replica is reopened before it is installed.</summary>
    public static string Staged(string name) => $"{StagedPrefix}{name}{ImageSuffix}";

    public static bool IsStaged(string file) => file.StartsWith(StagedPrefix, StringComparison.Ordinal) && file.EndsWith(ImageSuffix, StringComparison.Ordinal);

    /// <summary>True for the layer images and their metadata, the only files a leftover can be.</summary>
    public static bool IsLayerFile(string file) =>
        (file.StartsWith(HeadPrefix, StringComparison.Ordinal) || file.StartsWith(SnapshotPrefix, StringComparison.Ordinal))
        && (file.EndsWith(ImageSuffix, StringComparison.Ordinal) || file.EndsWith(ImageSuffix + MetaSuffix, StringComparison.Ordinal));
}
