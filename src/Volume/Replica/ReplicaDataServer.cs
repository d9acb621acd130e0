using System.Net;
using System.Net.Sockets;
using ActorStore.Volume.Replicas.Data;
using BlockReplica = ActorStore.Blocks.Replica;

namespace ActorStore.Volume.Replicas;

/// <summary>
/// A replica's data endpoint (DESIGN §3): a TCP listener that engines connect to, one per replica. Its
/// owner (the ReplicaActor) starts it, and disposes it before the replica: once <see cref="DisposeAsync"/>
/// completes the listener and every connection are closed and no request touches the replica any more.
/// The replica is not owned and not disposed here.
/// </summary>
public sealed class ReplicaDataServer : IAsyncDisposable
{
    private readonly BlockReplica _replica;
    private readonly IPEndPoint _bindTo;
    private readonly ReplicaDataServerOptions _options;
    private readonly Dictionary<DataConnection, Task> _connections = [];
    private Socket? _listener;
    private Task? _accepting;
    private bool _disposed;

    /// <param name="bindTo">Address and port to listen on; port 0 picks a free one (see <see cref="StartAsync"/>).</param>
    public ReplicaDataServer(BlockReplica replica, IPEndPoint bindTo, ReplicaDataServerOptions? options = null)
    {
        _replica = replica;
        _bindTo = bindTo;
        _options = options ?? ReplicaDataServerOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxInFlightPerConnection, 1, nameof(options));
    }

    /// <summary>The bound address, once started.</summary>
    public IPEndPoint? Endpoint { get; private set; }

    /// <summary>Connections open right now (handshake included).</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_connections) return _connections.Count;
        }
    }

    /// <summary>Binds and starts accepting; returns the bound endpoint. A bind failure throws (a configuration error).</summary>
    public Task<IPEndPoint> StartAsync()
    {
        lock (_connections)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_listener is not null) throw new InvalidOperationException("The data server is already started.");
            var listener = new Socket(_bindTo.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.Bind(_bindTo);
                listener.Listen(128);
            }
            catch (SocketException)
            {
                listener.Dispose();
                throw;
            }
            _listener = listener;
            Endpoint = (IPEndPoint)listener.LocalEndPoint!;
            _accepting = AcceptLoopAsync(listener);
            return Task.FromResult(Endpoint);
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return; // disposed
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return; // disposed while accepting
            }
            catch (SocketException)
            {
                // One failed accept (a connection reset before it was taken, or out of descriptors):
                // pause briefly so a lasting condition does not spin a core, then go on.
                await Task.Delay(10).ConfigureAwait(false);
                continue;
            }
            socket.NoDelay = true; // replies are whole frames already; do not hold them back for more
            var connection = new DataConnection(socket, _replica, _options);
            lock (_connections)
            {
                if (_disposed)
                {
                    socket.Dispose();
                    return;
                }
                _connections.Add(connection, RunAsync(connection));
            }
        }
    }

    private async Task RunAsync(DataConnection connection)
    {
        await Task.Yield(); // the accept loop goes on at once
        await connection.RunAsync().ConfigureAwait(false);
        lock (_connections) _connections.Remove(connection);
    }

    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_connections)
        {
            if (_disposed) return;
            _disposed = true;
            _listener?.Dispose();
            foreach (var connection in _connections.Keys) connection.Close();
            running = [.. _connections.Values];
        }
        if (_accepting is not null) await _accepting.ConfigureAwait(false);
        await Task.WhenAll(running).ConfigureAwait(false);
    }
}
