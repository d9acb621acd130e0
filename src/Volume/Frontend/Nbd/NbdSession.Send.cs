namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>The send loop: takes each batch of queued replies and sends it to the socket in gathered sendmsg calls.</summary>
internal sealed partial class NbdSession
{
    private const int MaxVectors = 1024; // IOV_MAX

    private async Task SendLoopAsync()
    {
        // At queue depth 32 a batch holds dozens of replies, each a header and (READ) a payload: one
        // sendmsg for all of them instead of a write per piece.
        var gather = new List<ArraySegment<byte>>(MaxVectors);
        using var send = new GatheredSend();
        ReplyBatch? batch = null;
        try
        {
            while (true)
            {
                ValueTask<ReplyBatch?> next;
                lock (_writeLock)
                {
                    next = _replies.TakeAsync();
                }

                batch = await next.ConfigureAwait(false);
                if (batch is null)
                {
                    break;
                }

                await SendBatchAsync(batch, gather, send).ConfigureAwait(false);
                Sent(batch);
                batch = null;
            }
        }
        catch (Exception ex) when (IsConnectionLoss(ex))
        {
            // The peer is gone: the read loop sees it too and ends the session.
            _closed = true;
            _gate.Wake();
        }
        finally
        {
            // What will never be sent still goes back: request buffers to their pools, bytes to the gate.
            if (batch is not null)
            {
                Sent(batch);
            }

            DiscardQueued();
        }
    }

    private async Task SendBatchAsync(ReplyBatch batch, List<ArraySegment<byte>> gather, GatheredSend send)
    {
        int next = 0;
        while (next < batch.Count)
        {
            gather.Clear();
            long bytes = 0;
            for (; next < batch.Count && gather.Count < MaxVectors; next++)
            {
                var piece = batch.Bytes(batch[next]);
                gather.Add(piece);
                bytes += piece.Count;
            }

            int sent = await send.SendAsync(_socket, gather).ConfigureAwait(false);
            // A short send (the socket buffer filled): the rest of these pieces, in order.
            foreach (var piece in gather)
            {
                if (sent >= piece.Count)
                {
                    sent -= piece.Count;
                    continue;
                }

                await _stream.WriteAsync(piece.AsMemory(sent)).ConfigureAwait(false);
                sent = 0;
            }
        }
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
                ReturnWork(work);
            }
        }

        _gate.Release(0, batch.ArenaBytes + payloadBytes);
        lock (_writeLock)
        {
            _replies.Recycle(batch);
        }
    }

    private void DiscardQueued()
    {
        ReplyBatch? rest;
        lock (_writeLock)
        {
            _outputCompleted = true;
            _replies.Complete();
            var take = _replies.TakeAsync();
            rest = take.IsCompleted ? take.Result : null;
        }

        if (rest is not null)
        {
            Sent(rest);
        }
    }
}
