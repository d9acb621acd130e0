namespace ActorStore.Volume.Protocol;

/// <summary>A replica's role in its volume (DESIGN §2).</summary>
public enum ReplicaMode
{
    /// <summary>In sync: takes writes, serves reads.</summary>
    ReadWrite,
    /// <summary>Rebuilding: takes live writes, is never read from.</summary>
    WriteOnly,
    /// <summary>Failed: never used again until rebuilt.</summary>
    Error,
}
