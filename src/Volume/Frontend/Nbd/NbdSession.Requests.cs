using System.Buffers;
using System.Diagnostics;
using ActorStore.Volume.Io;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// The transmission phase's request path: the read loop (the pipe, or the socket directly around large
/// payloads), the parse of each request, and where each runs (this thread, the pool, or a turn in the read window).
/// </summary>
internal sealed partial class NbdSession
{
    // A large WRITE run on the read loop (RunReceived) that has not returned after this long: the loop is
    // stuck (a hung disk holds its thread until the engine's deadline answers the request elsewhere), and the
    // next completion starts a new loop in its place, so the connection goes on. Each loop has a generation;
    // _inline says which one runs such a write (g), or that it was replaced while doing so (-g), and only the
    // loop whose own g is still there when its write returns reads on: never two loops at once.
    private static readonly long InlineStallTicks = Stopwatch.Frequency; // 1 s: a 1 MiB write takes about a millisecond
    private int _inline;
    private long _inlineSince;
    private int _generations = 1;
    private readonly TaskCompletionSource<(string End, bool Graceful)> _transmitted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs the transmission phase; it ends when the loop reading at that moment ends (a replaced loop's end does not count).</summary>
    private Task<(string End, bool Graceful)> TransmitUntilEndAsync()
    {
        _ = ReadLoopAsync(generation: 1, headerDirect: false);
        return _transmitted.Task;
    }

    private async Task ReadLoopAsync(int generation, bool headerDirect)
    {
        try
        {
            var (end, graceful) = await TransmitAsync(generation, headerDirect).ConfigureAwait(false);
            if (end is not null) _transmitted.TrySetResult((end, graceful));
        }
        catch (Exception ex)
        {
            _transmitted.TrySetException(ex); // only the loop reading can fail on the socket: a replaced one returns at once
        }
    }

    /// <summary>A completion while a read loop is stuck in a large write: a new loop reads on (the stuck one ends when its thread returns).</summary>
    private void TakeOverIfStuck()
    {
        var generation = Volatile.Read(ref _inline);
        if (generation <= 0 || Stopwatch.GetTimestamp() - Volatile.Read(ref _inlineSince) < InlineStallTicks
            || Interlocked.CompareExchange(ref _inline, -generation, generation) != generation)
        {
            return;
        }

        Log("the read loop is held by a large write (a disk that does not answer); a new loop reads on");
        var next = Interlocked.Increment(ref _generations);
        _ = Task.Run(() => ReadLoopAsync(next, headerDirect: true));
    }

    /// <summary>The read loop; ends with a null End when a stuck large write made another loop take over.</summary>
    /// <param name="generation">This loop's number: a loop that replaces a stuck one has the next.</param>
    /// <param name="headerDirect">The previous payload came straight from the socket, so the next header does too.</param>
    private async Task<(string? End, bool Graceful)> TransmitAsync(int generation, bool headerDirect)
    {
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

                if (!RunReceived(whole, generation))
                {
                    return (null, false); // another loop took over while this one was held
                }

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
    // False when the write held this thread so long that another loop took over (TakeOverIfStuck): this one ends.
    private bool RunReceived(NbdRequestWork work, int generation)
    {
        if ((work.Request.Flags & NbdConstants.CmdFlagFua) != 0)
        {
            Dispatch(work);
            return true;
        }

        Volatile.Write(ref _inlineSince, Stopwatch.GetTimestamp());
        Volatile.Write(ref _inline, generation);
        work.Execute();
        return Interlocked.CompareExchange(ref _inline, 0, generation) == generation;
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
