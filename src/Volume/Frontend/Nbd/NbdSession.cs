using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using ActorStore.Volume.Engine;

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

    public NbdSession(Socket socket, INbdExports exports, NbdServerOptions options, Action<string> log, long id)
    {
        _socket = socket;
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
            await using (new Timer(static s => ((NbdSession)s!).ShutdownSocket(), this, _handshakeTimeout, Timeout.InfiniteTimeSpan))
                negotiated = await new NbdHandshake(this, _input, _exports).RunAsync().ConfigureAwait(false);
            if (negotiated is not null)
            {
                _volume = negotiated.Volume;
                _size = negotiated.Volume.Size;
                _structured = negotiated.StructuredReplies;
                _metaContext = negotiated.MetaContext;
                Log($"export '{negotiated.Volume.Name}' (size {_size}, structured {_structured}, base:allocation {_metaContext})");
                (end, graceful) = await TransmitAsync().ConfigureAwait(false);
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

    private async Task<(string End, bool Graceful)> TransmitAsync()
    {
        bool headerDirect = false; // the previous payload came straight from the socket, so the next header does too
        while (true)
        {
            if (!_gate.HasRoom)
            {
                await _gate.WaitForRoomAsync().ConfigureAwait(false);
                if (_closed)
                {
                    return ("closed by server", false);
                }
            }

            ParseStep step;
            bool drained, leftover, completed;
            if (headerDirect)
            {
                int got = await _payload.ReceiveHeaderAsync(_header).ConfigureAwait(false);
                step = Parse(new ReadOnlySequence<byte>(_header, 0, got), out _, out _);
                drained = true;
                completed = got < _header.Length;
                leftover = got > 0;
            }
            else
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                step = Parse(buffer, out var consumed, out var examined);
                drained = buffer.Slice(consumed).IsEmpty;
                leftover = !drained || _payload.InProgress;
                completed = result.IsCompleted;
                _input.AdvanceTo(consumed, examined);
            }

            if (_inlineUnsent > 0)
            {
                _inlineUnsent = 0;
                PumpSends();
            }

            headerDirect = step == ParseStep.Continue && drained && _payload.ReceivesDirectly;
            if (headerDirect)
            {
                // The pipe holds nothing unread, so reading the stream directly keeps the order.
                var whole = await _payload.ReceiveRestAsync().ConfigureAwait(false);
                if (whole is null)
                {
                    return ("truncated request: closing", false);
                }

                RunReceived(whole);
                continue;
            }

            switch (step)
            {
                case ParseStep.Malformed:
                    return ("bad request magic: framing lost, closing", false);
                case ParseStep.Disconnect:
                    // NBD_CMD_DISC: answer everything still in flight, then close.
                    await _gate.WaitForIdleAsync().ConfigureAwait(false);
                    return ("disconnected by client", true);
                case ParseStep.Continue when completed:
                    return leftover ? ("truncated request: closing", false) : ("client closed the connection", true);
                default:
                    break;
            }
        }
    }

    private enum ParseStep { Continue, Backpressure, Disconnect, Malformed }

    // Larger cached reads go to the pool all the same: copying one would hold up this connection's parsing
    // for long, and 1 MiB reads measured no faster inline.
    private const int InlineReadMax = 128 * 1024;
    private const int InlineRepliesPerSend = 32;

    // Parses every whole request in the buffer (a ref struct reader cannot live in the async loop).
    private ParseStep Parse(in ReadOnlySequence<byte> buffer, out SequencePosition consumed, out SequencePosition examined)
    {
        var reader = new SequenceReader<byte>(buffer);
        var step = ParseStep.Continue;
        while (true)
        {
            if (_payload.InProgress)
            {
                if (!_payload.Take(ref reader, out var whole))
                {
                    break;
                }

                if (whole is not null)
                {
                    Dispatch(whole);
                }

                continue;
            }

            if (!_gate.HasRoom)
            {
                step = ParseStep.Backpressure;
                break;
            }

            var status = NbdRequestReader.TryReadRequest(ref reader, out var request);
            if (status == NbdParseStatus.NeedMoreData)
            {
                break;
            }

            if (status == NbdParseStatus.Malformed)
            {
                step = ParseStep.Malformed;
                break;
            }

            if (request.Type == NbdConstants.CmdDisc)
            {
                step = ParseStep.Disconnect;
                break;
            }

            Accept(request);
        }

        consumed = reader.Position;
        // Under backpressure the unread requests are already here: the next read must not wait for more bytes.
        examined = step == ParseStep.Continue ? buffer.End : reader.Position;
        return step;
    }

    private void Accept(in NbdRequest request)
    {
        NbdMetrics.Requests.Add(1);
        uint error = _draining
            ? NbdConstants.EShutdown
            : NbdRequestRules.Validate(request, _size, _structured, _metaContext);
        bool hasPayload = NbdRequestRules.HasPayload(request);
        if (error != 0)
        {
            // The payload of a refused WRITE is still on the wire: skip it so framing holds.
            if (hasPayload)
            {
                _payload.Start(null, request.Length);
            }

            SendError(request.Cookie, error);
            return;
        }

        var work = _pool.Rent();
        work.Init(request);
        _gate.Add(1, NbdRequestWork.ReservedBytes(request));
        if (NbdRequestRules.IsWrite(request.Type))
        {
            work.Epoch = _barrier.WriteStarted();
        }

        if (hasPayload && request.Length > 0)
        {
            _payload.Start(work, request.Length);
            return;
        }

        if (request.Type == NbdConstants.CmdFlush && !_barrier.TryStartFlush(work))
        {
            return; // dispatched by the last earlier write to complete
        }

        if (request.Type == NbdConstants.CmdRead && request.Length is > 0 and <= InlineReadMax && work.TryReadCached(_volume!))
        {
            // Served from the page cache on this thread, which never waits on a disk for it: no hand-off
            // to another thread, and the replies of this receive go out together (every 32, and after it).
            QueueCompletion(work, IoStatus.Ok);
            if (++_inlineUnsent == InlineRepliesPerSend)
            {
                _inlineUnsent = 0;
                PumpSends();
            }

            return;
        }

        Dispatch(work);
    }

    // Every request that is not served on this thread runs on the thread pool; a large READ first waits
    // for its turn in the read window.
    private void Dispatch(NbdRequestWork work)
    {
        if (!TakesTurns(work.Request) || _readWindow.TryEnter(work))
        {
            Run(work);
        }

        // Otherwise it is run by the read that leaves the window before it.
    }

    // A large WRITE just received straight into its buffer runs on this thread, at once: its payload is
    // still in this core's cache for the copy into the page cache, and no pool thread has to wake for it
    // (1M write qd32: about a fifth less CPU per GB, measured). While it writes, this connection reads no
    // further requests, which is what a write held up by the kernel's dirty-page throttling would do to
    // every writer anyway. A FUA write goes to the pool: its flush waits for the disk.
    private void RunReceived(NbdRequestWork work)
    {
        if ((work.Request.Flags & NbdConstants.CmdFlagFua) != 0)
        {
            Dispatch(work);
        }
        else
        {
            work.Execute();
        }
    }

    /// <summary>A request is done with (its reply queued or sent): back to the pool, and a large READ's turn to the next.</summary>
    private void Finished(NbdRequestWork work)
    {
        bool tookTurn = TakesTurns(work.Request); // read before Return resets the work
        _pool.Return(work); // first: the next read may then get the buffer just returned, still cached
        if (tookTurn && _readWindow.Leave() is { } next)
        {
            Run(next);
        }
    }

    // Every such READ goes through Dispatch (none is served on the connection's thread), so each takes a turn.
    private static bool TakesTurns(in NbdRequest request) =>
        request.Type == NbdConstants.CmdRead && request.Length > InlineReadMax;

    private static void Run(NbdRequestWork work) => ThreadPool.UnsafeQueueUserWorkItem(work, preferLocal: false);
}
