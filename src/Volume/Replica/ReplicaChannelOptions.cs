namespace ActorStore.Volume.Replicas;

/// <summary>Settings of an engine's connection to a replica: its data endpoint (<see cref="SocketReplicaChannel"/>) or in process (<see cref="LocalReplicaChannel"/>).</summary>
public sealed record ReplicaChannelOptions
{
    public static ReplicaChannelOptions Default { get; } = new();

    /// <summary>
    /// A request not answered within this time breaks the connection: it and every other pending and
    /// later request fail (IoError on a socket, TimedOut in process, where the disk hangs), and the engine
    /// marks the replica ERR (DESIGN §2, supervision). <see cref="Timeout.InfiniteTimeSpan"/>: no timeout.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>In process: requests that may wait on the disk running at once; more wait their turn, holding no thread.</summary>
    public int ConcurrentIo { get; init; } = 8;

    /// <summary>Limit on connecting and the handshake together.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
