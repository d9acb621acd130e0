using System.Runtime.InteropServices;
using ActorStore.Volume.Io;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>Completion of requests and the writing of replies: each reply is queued whole, under one lock.</summary>
internal sealed partial class NbdSession
{
    /// <summary>
    /// Called by a work item when the engine has answered: queue the reply, release what the request held,
    /// then send (last, so a thread that ends up pumping for a while holds nothing of its request).
    /// </summary>
    public void Complete(NbdRequestWork work, IoStatus status)
    {
        QueueCompletion(work, status);
        PumpSends();
        TakeOverIfStuck();
    }

    /// <summary>Complete without the send: the caller sends (calls PumpSends) once it has queued what it has.</summary>
    private void QueueCompletion(NbdRequestWork work, IoStatus status)
    {
        var request = work.Request;
        // Read before the reply is queued: a queued READ may be sent, returned and reused at once.
        long epoch = work.Epoch;
        uint error = NbdErrors.FromStatus(status);
        bool payloadQueued = false;
        if (error != 0)
        {
            QueueError(request.Cookie, error);
        }
        else if (request.Type == NbdConstants.CmdRead && work.Length > 0)
        {
            NbdMetrics.BytesRead.Add(work.Length);
            payloadQueued = QueueData(work);
        }
        else if (request.Type == NbdConstants.CmdRead)
        {
            QueueNoData(request.Cookie);
        }
        else if (request.Type == NbdConstants.CmdBlockStatus)
        {
            if (!QueueBlockStatus(request, CollectionsMarshal.AsSpan(work.Extents)))
            {
                // The engine broke its contract (no extent at the request's start): not the client's fault.
                QueueError(request.Cookie, NbdConstants.EIo);
            }
        }
        else
        {
            QueueOk(request.Cookie);
            if (request.Type == NbdConstants.CmdWrite)
            {
                NbdMetrics.BytesWritten.Add(work.Length);
            }
        }

        if (epoch >= 0)
        {
            // A write finished: flushes that were waiting only for it (and earlier writes) may run now.
            var flush = _barrier.WriteCompleted(epoch);
            while (flush is not null)
            {
                Dispatch(flush);
                flush = _barrier.WriteCompleted(-1);
            }
        }

        if (payloadQueued)
        {
            // The reply's payload is the request's buffer: the sender hands the work back once it is sent
            // (it may have already: the work is not touched here any more).
            _gate.Release(1, 0);
        }
        else
        {
            long held = NbdRequestWork.ReservedBytes(request);
            Finished(work);
            _gate.Release(1, held);
        }
    }

    /// <summary>Sends an error reply for a request that never reached the engine.</summary>
    public void SendError(ulong cookie, uint error)
    {
        QueueError(cookie, error);
        PumpSends();
    }

    /// <summary>An error reply: a structured error chunk once negotiated (READ must not get a simple reply then), else simple.</summary>
    private void QueueError(ulong cookie, uint error)
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
                NbdReplyWriter.WriteError(_replies, cookie, error, NbdErrors.Message(error));
            }
            else
            {
                NbdReplyWriter.WriteSimple(_replies, cookie, error);
            }

            FlushLocked();
        }
    }

    private void QueueOk(ulong cookie)
    {
        lock (_writeLock)
        {
            if (_outputCompleted)
            {
                return;
            }

            NbdReplyWriter.WriteSimple(_replies, cookie, 0);
            FlushLocked();
        }
    }

    // A READ's reply, its payload queued by reference. False when the connection is closing (nothing queued).
    private bool QueueData(NbdRequestWork work)
    {
        var request = work.Request;
        lock (_writeLock)
        {
            if (_outputCompleted)
            {
                return false;
            }

            if (_structured)
            {
                // One chunk, complete before it is sent, so it may carry DONE (and DF is always honoured).
                NbdReplyWriter.WriteOffsetDataHeader(_replies, request.Cookie, request.Offset, work.Length, done: true);
            }
            else
            {
                NbdReplyWriter.WriteSimple(_replies, request.Cookie, 0);
            }

            _replies.AppendPayload(work.Payload, work);
            FlushLocked();
        }

        return true;
    }

    // A zero-length READ: no payload at all.
    private void QueueNoData(ulong cookie)
    {
        lock (_writeLock)
        {
            if (_outputCompleted)
            {
                return;
            }

            if (_structured)
            {
                NbdReplyWriter.WriteNone(_replies, cookie);
            }
            else
            {
                NbdReplyWriter.WriteSimple(_replies, cookie, 0);
            }

            FlushLocked();
        }
    }

    private bool QueueBlockStatus(in NbdRequest request, ReadOnlySpan<Blocks.AllocationExtent> extents)
    {
        bool reqOne = (request.Flags & NbdConstants.CmdFlagReqOne) != 0;
        lock (_writeLock)
        {
            if (_outputCompleted)
            {
                return true;
            }

            if (!NbdReplyWriter.WriteBlockStatus(
                    _replies, request.Cookie, NbdConstants.BaseAllocationContextId, request.Offset, request.Length, reqOne, extents))
            {
                return false;
            }

            FlushLocked();
        }

        return true;
    }

    /// <summary>
    /// Handshake replies: written by the handshake into <see cref="HandshakeOutput"/> (only the handshake
    /// writes then, but the send pump may take from the queue at any time), then queued here under the lock.
    /// </summary>
    public void FlushHandshake()
    {
        lock (_writeLock)
        {
            if (!_outputCompleted && _handshakeOutput.WrittenCount > 0)
            {
                _handshakeOutput.WrittenSpan.CopyTo(_replies.GetSpan(_handshakeOutput.WrittenCount));
                _replies.Advance(_handshakeOutput.WrittenCount);
                FlushLocked();
            }
        }

        _handshakeOutput.Clear();
        PumpSends();
    }

    public System.Buffers.IBufferWriter<byte> HandshakeOutput => _handshakeOutput;

    // Ends a reply (someone then calls PumpSends, outside the lock). Its bytes count against the gate
    // until they have been sent.
    private void FlushLocked() => _gate.Add(0, _replies.Publish());
}
