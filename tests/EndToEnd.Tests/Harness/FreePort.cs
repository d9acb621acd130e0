using System.Net;
using System.Net.Sockets;

namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>A TCP port free right now, for servers that cannot bind port 0 and report it (PostgreSQL).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
