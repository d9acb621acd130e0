using System.Collections.Concurrent;
using System.Net;
using ActorStore.Volume.Frontend.Nbd;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>An NBD server on 127.0.0.1, port 0, over memory volumes; one per test, disposed by it.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(NbdServer server, IPEndPoint endpoint, MemoryVolume volume, ConcurrentQueue<string> log)
    {
        Server = server;
        Endpoint = endpoint;
        Volume = volume;
        Log = log;
    }

    public NbdServer Server { get; }

    public IPEndPoint Endpoint { get; }

    public int Port => Endpoint.Port;

    /// <summary>The export "disk".</summary>
    public MemoryVolume Volume { get; }

    public ConcurrentQueue<string> Log { get; }

    public string Uri => $"nbd://127.0.0.1:{Port}/{Volume.Name}";

    public static async Task<TestServer> StartAsync(long size = 16 << 20, NbdServerOptions? options = null, params MemoryVolume[] more)
    {
        var volume = new MemoryVolume("disk", size);
        var log = new ConcurrentQueue<string>();
        var server = new NbdServer(
            new MemoryExports([volume, .. more]),
            (options ?? new NbdServerOptions()) with { Port = 0, BindAddress = IPAddress.Loopback },
            log.Enqueue);
        var endpoint = await server.StartAsync();
        return new TestServer(server, endpoint, volume, log);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
