using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>The send loop: drains the output pipe, where replies are written whole, to the socket.</summary>
internal sealed partial class NbdSession
{
    private async Task SendLoopAsync()
    {
        var reader = _output.Reader;
        // One gathered send (sendmsg) per batch of replies instead of one write per pipe segment: at queue
        // depth 32 a batch holds dozens of replies, each spanning two segments (header, payload).
        var gather = new List<ArraySegment<byte>>(64);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                long length = buffer.Length; // not after AdvanceTo: the segments go back to the pool
                if (buffer.IsSingleSegment)
                {
                    await _stream.WriteAsync(buffer.First).ConfigureAwait(false);
                }
                else
                {
                    await SendGatheredAsync(buffer, gather).ConfigureAwait(false);
                }

                reader.AdvanceTo(buffer.End);
                _gate.Release(0, length);
                if (result.IsCompleted)
                {
                    break;
                }
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
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task SendGatheredAsync(ReadOnlySequence<byte> buffer, List<ArraySegment<byte>> gather)
    {
        const int MaxVectors = 1024; // IOV_MAX
        var rest = buffer;
        while (!rest.IsEmpty)
        {
            gather.Clear();
            long batch = 0;
            foreach (var segment in rest)
            {
                if (gather.Count == MaxVectors) break;
                if (!MemoryMarshal.TryGetArray(segment, out var array))
                {
                    // Not array-backed (never with the default pool): send it on its own.
                    if (gather.Count == 0)
                    {
                        await _stream.WriteAsync(segment).ConfigureAwait(false);
                        batch = segment.Length;
                    }
                    break;
                }
                gather.Add(array);
                batch += array.Count;
            }

            if (gather.Count > 0)
            {
                var sent = await _socket.SendAsync(gather, SocketFlags.None).ConfigureAwait(false);
                if (sent < batch)
                {
                    // A short send (the socket buffer filled): send what is left in order.
                    foreach (var segment in rest.Slice(sent, batch - sent))
                    {
                        await _stream.WriteAsync(segment).ConfigureAwait(false);
                    }
                }
            }

            rest = rest.Slice(batch);
        }
    }
}
