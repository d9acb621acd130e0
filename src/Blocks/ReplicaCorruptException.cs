namespace ActorStore.Blocks;

/// <summary>
/// The replica directory is in a state no crash can leave (bad checksum, missing layer, broken chain).
/// It is reported, never repaired silently: an operator decides (rebuild from another replica).
/// </summary>
public sealed class ReplicaCorruptException(string directory, string detail)
    : Exception($"replica {directory} is corrupt: {detail}. Rebuild it from a healthy replica.")
{
    public string Directory { get; } = directory;
    public string Detail { get; } = detail;
}
