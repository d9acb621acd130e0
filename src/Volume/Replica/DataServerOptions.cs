namespace ActorStore.Volume.Replicas;

/// <summary>Settings of the node's data port (<see cref="NodeDataServer"/>).</summary>
public sealed record DataServerOptions
{
    public static DataServerOptions Default { get; } = new();

    /// <summary>
    /// Requests one connection may have in flight; past it the server stops reading that socket until
    /// one completes (backpressure through TCP), so one engine cannot queue unbounded work or memory.
    /// </summary>
    public int MaxInFlightPerConnection { get; init; } = 128;

    /// <summary>How long a new connection may take to send its handshake before it is closed.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
