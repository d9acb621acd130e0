using System.Buffers;
using ActorStore.Blocks;
using ActorStore.Volume.Engine;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// One request on its way through the engine: a pooled thread-pool work item that owns the request's
/// buffer. It is queued to the thread pool (the engine may do disk I/O synchronously on the calling
/// thread, which must not be the connection's read loop), awaits the engine without allocating (a cached
/// continuation instead of an async state machine), hands the outcome to its session, and goes back to
/// the session's pool.
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

    /// <summary>Pooled payload (WRITE) or destination (READ); null for requests without data.</summary>
    public byte[]? Buffer { get; private set; }

    /// <summary>The FlushBarrier epoch of a write, trim or write-zeroes.</summary>
    public long Epoch { get; set; }

    /// <summary>Filled by BLOCK_STATUS; kept across uses so its array is reused.</summary>
    public List<AllocationExtent> Extents { get; } = new(16);

    public int Length => (int)Request.Length;

    public void Init(in NbdRequest request, bool needsBuffer)
    {
        Request = request;
        Buffer = needsBuffer && request.Length > 0 ? ArrayPool<byte>.Shared.Rent((int)request.Length) : null;
        Epoch = -1;
    }

    /// <summary>Returns the buffer to the pool; the session then returns this object to its pool.</summary>
    public void Reset()
    {
        if (Buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = null;
        }

        Extents.Clear();
        Request = default;
    }

    public void Execute()
    {
        ValueTask<IoStatus> operation;
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

        if (operation.IsCompleted)
        {
            Finish(operation);
            return;
        }

        _pending = operation;
        _pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onCompleted);
    }

    private ValueTask<IoStatus> Start(IVolumeIo volume)
    {
        var request = Request;
        long offset = (long)request.Offset;
        bool fua = (request.Flags & NbdConstants.CmdFlagFua) != 0;
        return request.Type switch
        {
            NbdConstants.CmdRead => volume.ReadAsync(offset, Buffer.AsMemory(0, Length)),
            NbdConstants.CmdWrite => volume.WriteAsync(offset, Buffer.AsMemory(0, Length), fua),
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
