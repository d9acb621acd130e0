using System.Net.Sockets;
using ActorStore.Blocks;
using BlockReplica = ActorStore.Blocks.Replica;

namespace ActorStore.Volume.Replicas.Data;

/// <summary>
/// One engine's connection to a replica's data endpoint: the handshake, then a read loop that parses
/// requests and hands each to the thread pool (a large write it runs itself), and a <see cref="FrameWriter"/> that sends the replies
/// as they complete (out of order, each whole). A malformed frame closes this connection only.
/// </summary>
internal sealed class DataConnection
{
    private readonly Socket _socket;
    private readonly ReplicaDataServerOptions _options;
    private readonly FrameReader _reader;
    private readonly FrameWriter _writer;
    private readonly SemaphoreSlim _slots;
    private readonly Stack<DataRequest> _free = new();
    private readonly byte[] _header = new byte[FrameHeader.Size];
    private int _closed;

    public DataConnection(Socket socket, BlockReplica replica, ReplicaDataServerOptions options)
    {
        _socket = socket;
        _options = options;
        Replica = replica;
        _reader = new FrameReader(socket);
        _writer = new FrameWriter(socket);
        _slots = new SemaphoreSlim(options.MaxInFlightPerConnection, options.MaxInFlightPerConnection);
    }

    public BlockReplica Replica { get; }

    /// <summary>The epoch this connection's engine was accepted with; requests are fenced against the replica's.</summary>
    public long Epoch { get; private set; }

    /// <summary>
    /// Serves the connection until it closes, then waits for every request in flight, so that once this
    /// completes nothing started by this connection touches the replica any more.
    /// </summary>
    public async Task RunAsync()
    {
        if (await HandshakeAsync().ConfigureAwait(false))
        {
            var writing = WriteThenCloseAsync();
            await ReadLoopAsync().ConfigureAwait(false);
            Close();
            await writing.ConfigureAwait(false);
            for (var i = 0; i < _options.MaxInFlightPerConnection; i++) await _slots.WaitAsync().ConfigureAwait(false);
        }
        Close();
    }

    /// <summary>Closes the socket at once; the loops then end and requests in flight finish without replying.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        _socket.Dispose();
        _writer.Complete();
    }

    public void Reply(DataRequest request)
    {
        if (!_writer.TryEnqueue(request)) request.Sent(); // closed: nobody to answer
    }

    public void Release(DataRequest request)
    {
        lock (_free) _free.Push(request);
        _slots.Release();
    }

    private async Task<bool> HandshakeAsync()
    {
        using var timeout = new CancellationTokenSource(_options.HandshakeTimeout);
        try
        {
            if (!await _reader.ReadExactAsync(_header, timeout.Token).ConfigureAwait(false)) return false;
            var hello = FrameHeader.ReadFrom(_header);
            if (hello.Op != DataOp.Hello || !FrameCodec.IsValidRequest(hello)) return false;
            var payload = new byte[hello.PayloadLength];
            if (!await _reader.ReadExactAsync(payload, timeout.Token).ConfigureAwait(false)) return false;
            var status = Admit(hello, payload);
            var reply = new byte[FrameHeader.Size];
            FrameCodec.Reply(hello with { Length = FrameCodec.ProtocolVersion }, status, 0).WriteTo(reply);
            await _socket.SendAsync(reply, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            if (status != ReplicaStatus.Ok) _socket.Shutdown(SocketShutdown.Send); // let the refusal arrive before the close
            return status == ReplicaStatus.Ok;
        }
        catch (OperationCanceledException)
        {
            return false; // no handshake in time
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false; // the server is stopping
        }
    }

    private ReplicaStatus Admit(in FrameHeader hello, byte[] payload)
    {
        if (hello.Length != FrameCodec.ProtocolVersion) return ReplicaStatus.InvalidArgument;
        var (volumeId, replicaId) = FrameCodec.DecodeHello(payload);
        try
        {
            var identity = Replica.Identity;
            // Not this replica: the engine has a wrong address or a stale placement.
            if (volumeId != identity.VolumeId || !string.Equals(replicaId, identity.ReplicaId, StringComparison.Ordinal)) return ReplicaStatus.NotFound;
            var status = Replica.AcceptEpoch(hello.Offset);
            if (status == ReplicaStatus.Ok) Epoch = hello.Offset;
            return status;
        }
        catch (ObjectDisposedException)
        {
            return ReplicaStatus.IoError;
        }
    }

    private const int InlineWriteMin = 64 * 1024;

    private async Task ReadLoopAsync()
    {
        DataRequest? reading = null; // holds a slot until it is dispatched
        try
        {
            while (true)
            {
                if (!await _reader.ReadExactAsync(_header).ConfigureAwait(false)) return;
                var header = FrameHeader.ReadFrom(_header);
                if (!FrameCodec.IsValidRequest(header) || header.Op == DataOp.Hello) return; // lost framing: close
                // Backpressure: with every slot taken, stop reading until a reply has gone out.
                await _slots.WaitAsync().ConfigureAwait(false);
                lock (_free) _free.TryPop(out reading);
                reading ??= new DataRequest(this);
                var payload = reading.Begin(header);
                if (!payload.IsEmpty && !await _reader.ReadExactAsync(payload).ConfigureAwait(false)) return; // truncated
                var request = reading;
                reading = null;
                // A large write runs here, at once: its payload is still in this core's cache for the copy
                // into the page cache, and no pool thread has to wake for it (as the NBD session does).
                if (payload.Length >= InlineWriteMin) request.Execute();
                else ThreadPool.UnsafeQueueUserWorkItem(request, preferLocal: false);
            }
        }
        catch (SocketException)
        {
            // Reset by the peer.
        }
        catch (ObjectDisposedException)
        {
            // Closed by the server or by the writer after a failed send.
        }
        finally
        {
            reading?.Sent(); // returns its buffer and slot
        }
    }

    private async Task WriteThenCloseAsync()
    {
        await _writer.RunAsync().ConfigureAwait(false);
        Close(); // a send failed or the connection is closing: stop reading too
    }
}
