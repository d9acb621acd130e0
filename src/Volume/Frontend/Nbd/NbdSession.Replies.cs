using System.Runtime.InteropServices;
using ActorStore.Volume.Engine;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>Completion of requests and the writing of replies: each reply goes into the output pipe whole, under one lock.</summary>
internal sealed partial class NbdSession
{
    /// <summary>Called by a work item when the engine has answered: reply, release what the request held.</summary>
    public void Complete(NbdRequestWork work, IoStatus status)
    {
        var request = work.Request;
        uint error = NbdErrors.FromStatus(status);
        if (error != 0)
        {
            SendError(request.Cookie, error);
        }
        else if (request.Type == NbdConstants.CmdRead)
        {
            SendData(request.Cookie, request.Offset, work.Buffer.AsSpan(0, work.Length));
            NbdMetrics.BytesRead.Add(work.Length);
        }
        else if (request.Type == NbdConstants.CmdBlockStatus)
        {
            if (!SendBlockStatus(request, CollectionsMarshal.AsSpan(work.Extents)))
            {
                // The engine broke its contract (no extent at the request's start): not the client's fault.
                SendError(request.Cookie, NbdConstants.EIo);
            }
        }
        else
        {
            SendOk(request.Cookie);
            if (request.Type == NbdConstants.CmdWrite)
            {
                NbdMetrics.BytesWritten.Add(work.Length);
            }
        }

        if (work.Epoch >= 0)
        {
            // A write finished: flushes that were waiting only for it (and earlier writes) may run now.
            var flush = _barrier.WriteCompleted(work.Epoch);
            while (flush is not null)
            {
                Dispatch(flush);
                flush = _barrier.WriteCompleted(-1);
            }
        }

        long held = work.Buffer is null ? 0 : work.Length;
        ReturnWork(work);
        _gate.Release(1, held);
    }

    /// <summary>An error reply: a structured error chunk once negotiated (READ must not get a simple reply then), else simple.</summary>
    public void SendError(ulong cookie, uint error)
    {
        NbdMetrics.Errors.Add(1);
        lock (_writeLock)
        {
            if (_outputCompleted)
            {
                return;
            }

            if (_structured)
            {
                NbdReplyWriter.WriteError(_output.Writer, cookie, error, NbdErrors.Message(error));
            }
            else
            {
                NbdReplyWriter.WriteSimple(_output.Writer, cookie, error);
            }

            FlushLocked();
        }
    }

    private void SendOk(ulong cookie)
    {
        lock (_writeLock)
        {
            if (_outputCompleted)
            {
                return;
            }

            NbdReplyWriter.WriteSimple(_output.Writer, cookie, 0);
            FlushLocked();
        }
    }

    private void SendData(ulong cookie, ulong offset, ReadOnlySpan<byte> data)
    {
        lock (_writeLock)
        {
            if (_outputCompleted)
            {
                return;
            }

            if (!_structured)
            {
                NbdReplyWriter.WriteSimple(_output.Writer, cookie, 0, data);
            }
            else if (data.IsEmpty)
            {
                NbdReplyWriter.WriteNone(_output.Writer, cookie);
            }
            else
            {
                // One chunk, complete before it is sent, so it may carry DONE (and DF is always honoured).
                NbdReplyWriter.WriteOffsetData(_output.Writer, cookie, offset, data, done: true);
            }

            FlushLocked();
        }
    }

    private bool SendBlockStatus(in NbdRequest request, ReadOnlySpan<Blocks.AllocationExtent> extents)
    {
        bool reqOne = (request.Flags & NbdConstants.CmdFlagReqOne) != 0;
        lock (_writeLock)
        {
            if (_outputCompleted)
            {
                return true;
            }

            if (!NbdReplyWriter.WriteBlockStatus(
                    _output.Writer, request.Cookie, NbdConstants.BaseAllocationContextId, request.Offset, request.Length, reqOne, extents))
            {
                return false;
            }

            FlushLocked();
            return true;
        }
    }

    /// <summary>Handshake replies: written by the handshake directly into <see cref="HandshakeOutput"/>, then flushed here.</summary>
    public void FlushHandshake()
    {
        lock (_writeLock)
        {
            if (!_outputCompleted)
            {
                FlushLocked();
            }
        }
    }

    public System.Buffers.IBufferWriter<byte> HandshakeOutput => _output.Writer;

    // The pipe never pauses its writer (see the constructor), so the flush completes at once: it only
    // wakes the send loop. The bytes count against the gate until the send loop has sent them.
    private void FlushLocked()
    {
        long bytes = _output.Writer.UnflushedBytes;
        _gate.Add(0, bytes);
        var flush = _output.Writer.FlushAsync();
        if (!flush.IsCompleted)
        {
            throw new InvalidOperationException("the output pipe paused its writer; it is configured never to");
        }

        flush.GetAwaiter().GetResult();
    }
}
