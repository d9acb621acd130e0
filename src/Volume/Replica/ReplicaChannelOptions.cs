namespace ActorStore.Volume.Replicas;

/// <summary>Settings of an engine's connection to a replica's data endpoint (<see cref="SocketReplicaChannel"/>).</summary>
public sealed record ReplicaChannelOptions
{
    public static ReplicaChannelOptions Default { get; } = new();

    /// <summary>
    /// A request not answered within this time breaks the connection: it and every other pending and
    /// later request fail with IoError, and the engine marks the replica ERR (DESIGN §2, supervision). <see cref="Timeout.InfiniteTimeSpan"/>: no timeout.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Limit on connecting and the handshake together.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
