using System.Net.Sockets;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// The send pump: whichever thread queues a reply while no send is under way sends it, and everything
/// queued meanwhile, in gathered sendmsg calls, so a reply that can go at once costs no thread hop. A send
/// the kernel cannot take at once completes on the socket's callback, which keeps pumping.
/// </summary>
internal sealed partial class NbdSession
{
    private const int MaxVectors = 1024; // IOV_MAX

    private readonly SocketAsyncEventArgs _sendArgs = new(unsafeSuppressExecutionContextFlow: true);
    private readonly List<ArraySegment<byte>> _gather = new(MaxVectors);
    private readonly TaskCompletionSource _sendsEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pumping; // 1 while one thread owns the pump
    private ReplyBatch? _batch; // being sent; owned by the pump
    private int _piece; // the first piece of _batch not wholly sent
    private int _pieceSent; // bytes of that piece already sent

    /// <summary>Completes when the queue is completed and sent, or the connection is lost.</summary>
    private Task SendsEnded => _sendsEnded.Task;

    private void InitSends() => _sendArgs.Completed += (_, args) => OnSendCompleted(args);

    /// <summary>Sends what is queued, unless another thread is at it (it will see the new replies).</summary>
    private void PumpSends()
    {
        if (Interlocked.Exchange(ref _pumping, 1) == 0)
        {
            RunPump();
        }
    }

    // The caller owns the pump. Returns with the pump released, handed to a pending send's callback, or
    // kept for good once everything is sent and the queue is completed (only the owner decides that).
    private void RunPump()
    {
        while (true)
        {
            if (_batch is null)
            {
                bool ended;
                lock (_writeLock)
                {
                    _batch = _replies.TryTake();
                    ended = _replies.IsCompleted;
                }

                if (_batch is null)
                {
                    if (ended)
                    {
                        _sendsEnded.TrySetResult();
                        return;
                    }

                    Volatile.Write(ref _pumping, 0);
                    bool again;
                    lock (_writeLock)
                    {
                        again = _replies.HasQueued || _replies.IsCompleted;
                    }

                    // A reply (or the end) came after the look above, and its writer saw the pump busy: take it.
                    if (!again || Interlocked.Exchange(ref _pumping, 1) == 1)
                    {
                        return;
                    }

                    continue;
                }

                _piece = 0;
                _pieceSent = 0;
            }

            if (!TrySendSynchronously())
            {
                return;
            }
        }
    }

    // Starts a send of the rest of _batch (up to IOV_MAX pieces). True when it completed at once and was
    // accounted; false when it is pending (the callback continues) or the connection is lost.
    private bool TrySendSynchronously()
    {
        _gather.Clear();
        for (int i = _piece; i < _batch!.Count && _gather.Count < MaxVectors; i++)
        {
            var bytes = _batch.Bytes(_batch[i]);
            _gather.Add(i == _piece ? bytes[_pieceSent..] : bytes);
        }

        bool pending;
        try
        {
            _sendArgs.BufferList = _gather;
            pending = _socket.SendAsync(_sendArgs);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            EndSends();
            return false;
        }

        return !pending && AccountSend(_sendArgs);
    }

    private void OnSendCompleted(SocketAsyncEventArgs args)
    {
        try
        {
            if (AccountSend(args))
            {
                RunPump();
            }
        }
        catch (Exception ex)
        {
            // A bug, on a socket callback where nothing would catch it: end this connection, not the process.
            ReportBug(ex);
            EndSends();
            ShutdownSocket();
        }
    }

    // Accounts a finished send. False when the connection is lost (the pump stays taken: nothing more is sent).
    private bool AccountSend(SocketAsyncEventArgs args)
    {
        if (args.SocketError != SocketError.Success || args.BytesTransferred == 0)
        {
            EndSends();
            return false;
        }

        int sent = args.BytesTransferred;
        var batch = _batch!;
        while (sent > 0)
        {
            int left = batch[_piece].Length - _pieceSent;
            if (sent < left)
            {
                _pieceSent += sent; // a short send: the next one starts mid-piece
                break;
            }

            sent -= left;
            _piece++;
            _pieceSent = 0;
        }

        if (_piece == batch.Count)
        {
            _batch = null;
            Sent(batch);
        }

        return true;
    }

    // The peer is gone or the socket closed: nothing more will be sent. Everything queued still goes back.
    private void EndSends()
    {
        _closed = true;
        if (_batch is not null)
        {
            Sent(_batch);
            _batch = null;
        }

        ReplyBatch? rest;
        lock (_writeLock)
        {
            _outputCompleted = true;
            _replies.Complete();
            rest = _replies.TryTake();
        }

        if (rest is not null)
        {
            Sent(rest);
        }

        _gate.Wake();
        _sendsEnded.TrySetResult();
    }

    // A batch has left (or never will): hand each READ back to its pool, release the bytes it held.
    private void Sent(ReplyBatch batch)
    {
        long payloadBytes = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            if (batch[i].Owner is { } work)
            {
                payloadBytes += batch[i].Length;
                Finished(work);
            }
        }

        long held = batch.ArenaBytes + payloadBytes;
        lock (_writeLock)
        {
            _replies.Recycle(batch);
        }

        _gate.Release(0, held);
    }
}
