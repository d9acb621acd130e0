using System.Buffers;
using ActorStore.Blocks;
using ActorStore.Volume.Io;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// One request on its way through the engine: a pooled thread-pool work item that owns the request's
/// buffer. It is queued to the thread pool (a local replica's disk work runs on this thread, which must not
/// hold up the connection's read loop; a large WRITE just received is the one exception, see
/// NbdSession.RunReceived), awaits the engine without allocating (a cached continuation instead of an async
/// state machine), hands the outcome to its session, and goes back to the session's pool. The disk work runs
/// after the continuation is registered (<see cref="DeferredIo"/>): a hung disk holds this thread, never the answer.
/// </summary>
internal sealed class NbdRequestWork : IThreadPoolWorkItem
{
    private readonly NbdSession _session;
    private readonly Action _onCompleted;
    private ValueTask<IoStatus> _pending;

    public NbdRequestWork(NbdSession session)
    {
        _session = session;
        _onCompleted = OnCompleted;
    }

    public NbdRequest Request { get; private set; }

    /// <summary>
    /// The request's data in a pooled buffer: a WRITE's payload (taken when the request arrives) or a
    /// READ's destination (taken only when the request runs); empty for requests without data.
    /// </summary>
    public ArraySegment<byte> Payload { get; private set; }

    private byte[]? _rented;

    /// <summary>The FlushBarrier epoch of a write, trim or write-zeroes.</summary>
    public long Epoch { get; set; }

    /// <summary>Filled by BLOCK_STATUS; kept across uses so its array is reused.</summary>
    public List<AllocationExtent> Extents { get; } = new(16);

    public int Length => (int)Request.Length;

    /// <summary>The bytes this request counts against its connection's limit from arrival until its reply is sent.</summary>
    public static long ReservedBytes(in NbdRequest request) =>
        request.Type is NbdConstants.CmdRead or NbdConstants.CmdWrite ? request.Length : 0;

    public void Init(in NbdRequest request)
    {
        Request = request;
        if (request.Type == NbdConstants.CmdWrite && request.Length > 0)
        {
            Take(request.Length);
        }

        Epoch = -1;
    }

    /// <summary>
    /// A READ tried on the connection's own thread: done when the volume has it in the page cache.
    /// False leaves the request to be executed as usual, its buffer kept.
    /// </summary>
    public bool TryReadCached(IVolumeIo volume)
    {
        Take(Request.Length);
        try
        {
            return volume.TryReadCached((long)Request.Offset, Payload.AsSpan());
        }
        catch (Exception ex)
        {
            // A bug, on the connection's read loop: report it, and let the pool path answer the request.
            _session.ReportBug(ex);
            return false;
        }
    }

    private void Take(uint length)
    {
        _rented = ArrayPool<byte>.Shared.Rent((int)length);
        Payload = new ArraySegment<byte>(_rented, 0, (int)length);
    }

    /// <summary>Returns the buffer to the pool; the session then returns this object to its pool.</summary>
    public void Reset()
    {
        if (_rented is not null)
        {
            // A write a hung disk still holds will read this buffer when it is let go: it is dropped, not reused.
            if (!AbandonedMemory.IsHeld(_rented))
            {
                ArrayPool<byte>.Shared.Return(_rented);
            }

            _rented = null;
        }

        Payload = default;
        Extents.Clear();
        Request = default;
    }

    public void Execute()
    {
        if (Request.Type == NbdConstants.CmdRead && Request.Length > 0 && _rented is null)
        {
            // Taken here, not on arrival: requests waiting for a thread hold no buffer, and the pool tends
            // to hand this thread the one it used last. (A read first tried from the page cache has one.)
            Take(Request.Length);
        }

        ValueTask<IoStatus> operation;
        DeferredIo.Begin();
        try
        {
            operation = Start(_session.Volume);
        }
        catch (Exception ex)
        {
            // An exception from the engine is a bug, not an I/O outcome: report it once and answer EIO.
            _session.ReportBug(ex);
            operation = new ValueTask<IoStatus>(IoStatus.IoError);
        }
        finally
        {
            DeferredIo.End();
        }

        if (operation.IsCompleted)
        {
            // Only an engine that threw leaves work pending here; it runs before Finish lets the buffer go.
            DeferredIo.RunPending();
            Finish(operation);
            return;
        }

        _pending = operation;
        _pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onCompleted);
        // The local replica's disk work, on this thread now that the answer no longer depends on it returning.
        DeferredIo.RunPending();
    }

    private ValueTask<IoStatus> Start(IVolumeIo volume)
    {
        var request = Request;
        long offset = (long)request.Offset;
        bool fua = (request.Flags & NbdConstants.CmdFlagFua) != 0;
        return request.Type switch
        {
            NbdConstants.CmdRead => volume.ReadAsync(offset, Payload.AsMemory()),
            NbdConstants.CmdWrite => volume.WriteAsync(offset, Payload.AsMemory(), fua),
            NbdConstants.CmdTrim => volume.TrimAsync(offset, request.Length, fua),
            NbdConstants.CmdWriteZeroes => volume.WriteZeroesAsync(
                offset,
                request.Length,
                noHole: (request.Flags & NbdConstants.CmdFlagNoHole) != 0,
                fastOnly: (request.Flags & NbdConstants.CmdFlagFastZero) != 0,
                fua),
            NbdConstants.CmdFlush => volume.FlushAsync(),
            NbdConstants.CmdBlockStatus => volume.GetAllocationAsync(offset, request.Length, Extents),
            _ => new ValueTask<IoStatus>(IoStatus.InvalidArgument),
        };
    }

    private void OnCompleted()
    {
        var operation = _pending;
        _pending = default;
        Finish(operation);
    }

    private void Finish(ValueTask<IoStatus> operation)
    {
        IoStatus status;
        try
        {
            status = operation.Result;
        }
        catch (Exception ex)
        {
            _session.ReportBug(ex);
            status = IoStatus.IoError;
        }

        _session.Complete(this, status);
    }
}
