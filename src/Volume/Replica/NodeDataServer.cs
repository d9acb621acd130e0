using System.Net;
using System.Net.Sockets;
using ActorStore.Volume.Replicas.Data;
using BlockReplica = ActorStore.Blocks.Replica;

namespace ActorStore.Volume.Replicas;

/// <summary>
/// The node's data port (DESIGN §3): one TCP listener serving every replica open on this node, the one port
/// an operator opens between nodes. A connection is for one replica, named in its handshake, and must prove
/// the cluster secret (<see cref="DataSecret"/>) by answering the server's challenge; then it may use the
/// replica only under the epoch the replica last accepted from its controller (an OpenReplica command): the
/// handshake never raises an epoch. Every refusal changes nothing and is logged in one line.
/// <see cref="CloseReplicaAsync"/> ends a replica's connections before the replica closes.
/// </summary>
public sealed class NodeDataServer : IAsyncDisposable
{
    private readonly LocalReplicas _replicas;
    private readonly IPEndPoint _bindTo;
    private readonly DataSecret _secret;
    private readonly DataServerOptions _options;
    private readonly Action<string> _log;
    private readonly Dictionary<DataConnection, Task> _connections = [];
    private Socket? _listener;
    private Task? _accepting;
    private bool _disposed;

    /// <param name="bindTo">Address and port to listen on; port 0 picks a free one (see <see cref="StartAsync"/>).</param>
    /// <param name="log">Where refusals are told, one line each.</param>
    public NodeDataServer(LocalReplicas replicas, IPEndPoint bindTo, DataSecret secret, DataServerOptions? options = null, Action<string>? log = null)
    {
        _replicas = replicas;
        _bindTo = bindTo;
        _secret = secret;
        _options = options ?? DataServerOptions.Default;
        _log = log ?? (_ => { });
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

    internal DataSecret Secret => _secret;

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
                listener.Listen(512);
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

    /// <summary>
    /// Binds a handshaken connection to its replica, unless the replica is no longer open here (it is closing):
    /// under the same lock as <see cref="CloseReplicaAsync"/>, so no connection slips in after a close began.
    /// </summary>
    internal BlockReplica? Admit(DataConnection connection, string replicaId)
    {
        lock (_connections)
        {
            if (_disposed || !_replicas.TryGet(replicaId, out var replica)) return null;
            connection.ReplicaId = replicaId;
            return replica;
        }
    }

    internal void Refused(EndPoint? peer, string why) => _log($"data connection from {peer} refused: {why}");

    /// <summary>
    /// Closes every connection to the replica and waits for their requests in flight, so that once this
    /// completes nothing reaches the replica through the data port. Remove it from <see cref="LocalReplicas"/> first.
    /// </summary>
    public async Task CloseReplicaAsync(string replicaId)
    {
        Task[] running;
        lock (_connections)
        {
            var closing = _connections.Where(c => c.Key.ReplicaId == replicaId).ToArray();
            foreach (var (connection, _) in closing) connection.Close();
            running = closing.Select(c => c.Value).ToArray();
        }
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <summary>Closes every connection now, as a network blip would (the fault hook); new ones are taken as before.</summary>
    public void DropConnections()
    {
        lock (_connections)
            foreach (var connection in _connections.Keys) connection.Close();
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
            var connection = new DataConnection(socket, this, _options);
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
