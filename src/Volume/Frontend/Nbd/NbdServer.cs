using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// Serves the volumes of <see cref="INbdExports"/> over NBD (fixed newstyle, structured replies,
/// base:allocation) on one TCP listener. Each connection is an <see cref="NbdSession"/>; a dead or
/// misbehaving client ends only its own session. <see cref="StopAsync"/> drains: no new connections,
/// new requests get ESHUTDOWN, in-flight ones complete, then connections close.
/// </summary>
public sealed class NbdServer : IAsyncDisposable
{
    private readonly INbdExports _exports;
    private readonly NbdServerOptions _options;
    private readonly Action<string> _log;
    private readonly ConcurrentDictionary<NbdSession, Task> _sessions = new();
    private readonly LinkedList<NbdSession> _handshaking = new(); // oldest first; guarded by itself
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;
    private Task? _stopped;
    private long _nextId;

    public NbdServer(INbdExports exports, NbdServerOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(exports);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _exports = exports;
        _options = options;
        _log = log ?? (_ => { });
    }

    /// <summary>The number of open connections.</summary>
    public int ConnectionCount => _sessions.Count;

    /// <summary>The connections still in the handshake.</summary>
    public int HandshakeCount
    {
        get
        {
            lock (_handshaking)
            {
                return _handshaking.Count;
            }
        }
    }

    /// <summary>Binds and starts accepting; returns the bound endpoint (the real port when the option says 0).</summary>
    public Task<IPEndPoint> StartAsync()
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("The NBD server is already started.");
        }

        var listener = new Socket(_options.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(_options.BindAddress, _options.Port));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        _log($"nbd: listening on {endpoint}");
        _accepting = AcceptLoopAsync(listener);
        return Task.FromResult(endpoint);
    }

    /// <summary>Drains and stops; idempotent. Waits at most the drain timeout for in-flight requests.</summary>
    public Task StopAsync() => _stopped ??= StopCoreAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task StopCoreAsync()
    {
        _stopping.Cancel();
        _listener?.Dispose();
        await _accepting.ConfigureAwait(false);
        foreach (var session in _sessions.Keys)
        {
            session.BeginDrain();
        }

        // Draining is rare and bounded: polling the sessions is simpler than a signal per session.
        var clock = Stopwatch.StartNew();
        while (!_sessions.IsEmpty && clock.Elapsed < _options.DrainTimeout && !AllIdle())
        {
            await Task.Delay(5).ConfigureAwait(false);
        }

        int open = _sessions.Count;
        foreach (var session in _sessions.Keys)
        {
            session.Abort();
        }

        await Task.WhenAll(_sessions.Values).ConfigureAwait(false);
        _log($"nbd: stopped ({open} connection(s) closed after {clock.ElapsedMilliseconds} ms of draining)");
    }

    private bool AllIdle()
    {
        foreach (var session in _sessions.Keys)
        {
            if (!session.IsIdle)
            {
                return false;
            }
        }

        return true;
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // A connection reset before it was accepted, or descriptors exhausted: log and keep serving.
                _log($"nbd: accept failed: {ex.SocketErrorCode}");
                continue;
            }

            if (_sessions.Count - HandshakeCount >= _options.MaxConnections)
            {
                _log($"nbd: refused {socket.RemoteEndPoint}: {_options.MaxConnections} connections already served");
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true; // the spec asks both sides to disable Nagle
            NbdMetrics.Connections.Add(1);
            var session = new NbdSession(socket, _exports, _options, _log, Interlocked.Increment(ref _nextId), HandshakeEnded);
            StartHandshake(session);
            if (_stopping.IsCancellationRequested)
            {
                session.BeginDrain();
            }

            // Listed before it starts: a session that ends at once (a client already gone) must not be
            // removed before it is added, or it would count against the connection limit for good.
            var run = new Task<Task>(() => RunSessionAsync(session));
            _sessions[session] = run.Unwrap();
            run.Start(TaskScheduler.Default);
        }
    }

    private async Task RunSessionAsync(NbdSession session)
    {
        try
        {
            await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            HandshakeEnded(session);
            _sessions.TryRemove(session, out _);
        }
    }

    /// <summary>Counts a new connection as negotiating; past the budget, the oldest one still negotiating is closed.</summary>
    private void StartHandshake(NbdSession session)
    {
        NbdSession? oldest = null;
        lock (_handshaking)
        {
            if (_handshaking.Count >= _options.MaxHandshakes)
            {
                oldest = _handshaking.First!.Value;
                _handshaking.RemoveFirst();
            }

            session.HandshakeNode = _handshaking.AddLast(session);
        }

        if (oldest is not null)
        {
            _log($"nbd: {_options.MaxHandshakes} connections still negotiating; closing the oldest to make room");
            oldest.CloseNegotiation();
        }
    }

    private void HandshakeEnded(NbdSession session)
    {
        lock (_handshaking)
        {
            if (session.HandshakeNode is { List: not null } node)
            {
                _handshaking.Remove(node);
            }

            session.HandshakeNode = null;
        }
    }
}
