namespace ActorStore.Volume.Protocol;

/// <summary>What kind of failure made a replica ERR, as the volume's record keeps it (the journal's own words, not the store's).</summary>
public enum ReplicaFault
{
    /// <summary>An I/O error, a lost connection or node, a refusal: its data may well be intact.</summary>
    IoError,
    /// <summary>It did not answer within the request timeout (a hung disk or node).</summary>
    TimedOut,
    /// <summary>Its disk was full while another replica's was not.</summary>
    NoSpace,
    /// <summary>It failed an fsync or its files are corrupt: its data cannot be trusted, it is never salvaged.</summary>
    Untrusted,
    /// <summary>Its node was downed (removed from the cluster) while the replica was in the set: its data may be intact, but it missed writes since.</summary>
    NodeLost,
}
