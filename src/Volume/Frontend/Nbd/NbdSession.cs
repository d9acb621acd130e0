using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using ActorStore.Volume.Io;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// One NBD connection: the handshake, then a read loop that parses requests and dispatches each to the
/// thread pool without waiting for the previous one, and a send pump that sends replies as they are queued.
/// Replies are queued whole under one lock (<see cref="ReplyQueue"/>), so they may go out of order but never
/// interleave. Anything that breaks framing closes this connection only; no exception escapes.
/// </summary>
internal sealed partial class NbdSession
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly ReplyQueue _replies = new();
    private readonly ArrayBufferWriter<byte> _handshakeOutput = new(1024);
    private readonly INbdExports _exports;
    private readonly Action<string> _log;
    private readonly InFlightGate _gate;
    private readonly FlushBarrier<NbdRequestWork> _barrier;
    private readonly NbdWorkPool _pool;
    private readonly ReadWindow _readWindow;
    private readonly NbdWritePayload _payload; // the WRITE payload still arriving, if any
    private readonly byte[] _header = new byte[NbdConstants.RequestHeaderSize]; // one received straight from the socket
    private readonly object _writeLock = new();
    private readonly string _name;
    private IVolumeIo? _volume;
    private long _size;
    private bool _structured;
    private bool _metaContext;
    private volatile bool _draining;
    private volatile bool _closed;
    private bool _outputCompleted;
    private int _bugReported;

    // Replies the read loop queued itself (cached reads) and has not sent yet: it sends them once the
    // receive is parsed, or every InlineRepliesPerSend, so that a long burst holds few buffers and work items.
    private int _inlineUnsent;

    private readonly Action<NbdSession> _handshakeEnded;

    public NbdSession(Socket socket, INbdExports exports, NbdServerOptions options, Action<string> log, long id, Action<NbdSession> handshakeEnded)
    {
        _socket = socket;
        _handshakeEnded = handshakeEnded;
        _exports = exports;
        _log = log;
        _name = $"nbd#{id} {socket.RemoteEndPoint}";
        _stream = new NetworkStream(socket, ownsSocket: false);
        _payload = new NbdWritePayload(socket, _stream);
        // Large reads: a 1 MiB WRITE arrives in a few recv calls rather than dozens.
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 256 * 1024, minimumReadSize: 64 * 1024, leaveOpen: true));
        _gate = new InFlightGate(options.MaxInFlightPerConnection, options.MaxInFlightBytesPerConnection);
        _barrier = new FlushBarrier<NbdRequestWork>(options.MaxInFlightPerConnection);
        _pool = new NbdWorkPool(this, options.MaxInFlightPerConnection);
        _readWindow = new ReadWindow(options.LargeReadsAtOnce);
        _handshakeTimeout = options.HandshakeTimeout;
    }

    private readonly TimeSpan _handshakeTimeout;

    public IVolumeIo Volume => _volume!;

    /// <summary>Where the server keeps this session while it negotiates (owned by the server, under its lock).</summary>
    internal LinkedListNode<NbdSession>? HandshakeNode { get; set; }

    /// <summary>Nothing in flight, no reply unsent: what a drain waits for.</summary>
    public bool IsIdle => _gate.IsIdle && !_payload.InProgress;

    /// <summary>From now on new requests are answered ESHUTDOWN (options NBD_REP_ERR_SHUTDOWN); in-flight ones complete.</summary>
    public void BeginDrain() => _draining = true;

    public bool Draining => _draining;

    /// <summary>Runs the connection to its end. Never throws.</summary>
    public async Task RunAsync()
    {
        InitSends();
        string end = "closed";
        bool graceful = true; // send what is queued (an option reply, the last replies) before closing
        try
        {
            NbdNegotiation? negotiated;
            // A client that connects and never finishes negotiating must not hold a connection slot:
            // past the deadline its socket is shut, which ends the handshake as a lost connection.
            await using (new Timer(static s => ((NbdSession)s!).CloseNegotiation(), this, _handshakeTimeout, Timeout.InfiniteTimeSpan))
                negotiated = await new NbdHandshake(this, _input, _exports).RunAsync().ConfigureAwait(false);
            _handshakeEnded(this);
            if (negotiated is not null)
            {
                _volume = negotiated.Volume;
                _size = negotiated.Volume.Size;
                _structured = negotiated.StructuredReplies;
                _metaContext = negotiated.MetaContext;
                Log($"export '{negotiated.Volume.Name}' (size {_size}, structured {_structured}, base:allocation {_metaContext})");
                (end, graceful) = await TransmitUntilEndAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsConnectionLoss(ex))
        {
            end = _closed ? "closed by server" : $"connection lost ({ex.GetType().Name})";
            graceful = false;
        }
        catch (Exception ex)
        {
            end = $"failed: {ex}";
            graceful = false;
        }

        if (graceful)
        {
            CompleteOutput();
            // A peer that does not read its last replies must not hold the session open.
            await Task.WhenAny(SendsEnded, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        }

        Abort();
        await SendsEnded.ConfigureAwait(false);
        _sendArgs.Dispose(); // nothing sends any more: the pump is kept by whoever ended it
        await _input.CompleteAsync().ConfigureAwait(false);
        Log(end);
    }

    private void CompleteOutput()
    {
        lock (_writeLock)
        {
            _outputCompleted = true;
            _replies.Complete();
        }

        PumpSends(); // sends what is left and then ends, or ends at once if nothing is
    }

    /// <summary>Closes the connection at once; in-flight requests finish and their replies are dropped.</summary>
    public void Abort()
    {
        _closed = true;
        CompleteOutput();
        ShutdownSocket();
    }

    private const int Negotiating = 0, Negotiated = 1, NegotiationClosed = 2;
    private int _negotiation;

    /// <summary>
    /// Ends a handshake from outside (its timeout, or the server making room): the handshake then ends as a lost
    /// connection. Too late once the handshake has chosen an export (<see cref="TryConclude"/>): a client that was
    /// answered GO is served.
    /// </summary>
    public void CloseNegotiation()
    {
        if (Interlocked.CompareExchange(ref _negotiation, NegotiationClosed, Negotiating) == Negotiating)
        {
            ShutdownSocket();
        }
    }

    /// <summary>Called by the handshake before it answers GO: false when the negotiation was closed first (then it must not).</summary>
    public bool TryConclude()
    {
        if (Interlocked.CompareExchange(ref _negotiation, Negotiated, Negotiating) != Negotiating)
        {
            return false;
        }

        _handshakeEnded(this);
        return true;
    }

    private void ShutdownSocket()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer: nothing left to shut down.
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }

        _socket.Dispose();
        _gate.Wake();
    }

    public void Log(string message) => _log($"{_name}: {message}");

    public void ReportBug(Exception ex)
    {
        if (Interlocked.Exchange(ref _bugReported, 1) == 0)
        {
            Log($"engine threw (answered EIO; reported once per connection): {ex}");
        }
    }

    private static bool IsConnectionLoss(Exception ex) =>
        ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException;
}
