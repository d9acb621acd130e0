namespace ActorStore.Blocks;

/// <summary>A snapshot layer as listed to callers. <see cref="Parent"/> is a snapshot name or null for the root.</summary>
public sealed record SnapshotInfo(
    string Name,
    string? Parent,
    DateTimeOffset Created,
    bool UserCreated,
    bool Removed,
    long Size,
    IReadOnlyDictionary<string, string> Labels,
    Guid? RequestId);
