using System.Net;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>How the NBD server listens and how much one connection may hold.</summary>
public sealed record NbdServerOptions
{
    /// <summary>Loopback by default: exposing block devices to the network is a deliberate choice.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The IANA NBD port; 0 picks a free one (see the endpoint returned by StartAsync).</summary>
    public int Port { get; init; } = 10809;

    /// <summary>
    /// Served connections (past the handshake) beyond this are closed as soon as they are accepted. A soft limit:
    /// connections already negotiating (at most <see cref="MaxHandshakes"/>) may still finish and be served.
    /// </summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>
    /// Connections still in the handshake, counted apart from served ones so that silent or slow peers cannot
    /// use up their slots: when one more arrives, the oldest still negotiating is closed. A real client's
    /// handshake takes milliseconds, so only a flood of this many new connections during it can cut it short.
    /// </summary>
    public int MaxHandshakes { get; init; } = 64;

    /// <summary>Requests one connection may have in flight before the server stops reading from it.</summary>
    public int MaxInFlightPerConnection { get; init; } = 128;

    /// <summary>Bytes (request buffers plus unsent replies) one connection may hold before the server stops reading from it.</summary>
    public long MaxInFlightBytesPerConnection { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// READs larger than 128 KiB one connection runs at once; more wait, holding no buffer, until one is sent.
    /// Few, so that fewer distinct buffers cycle and each is more likely still in the CPU caches; 6 measured
    /// best for 1 MiB reads here.
    /// </summary>
    public int LargeReadsAtOnce { get; init; } = 6;

    /// <summary>How long StopAsync waits for in-flight requests before it closes connections anyway.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a new connection may take to finish the handshake before it is closed.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(BindAddress);
        ArgumentOutOfRangeException.ThrowIfNegative(Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHandshakes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlightPerConnection, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlightBytesPerConnection, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(LargeReadsAtOnce, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(DrainTimeout.Ticks);
    }
}
