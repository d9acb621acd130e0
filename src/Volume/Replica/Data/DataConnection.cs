using System.Net.Sockets;
using ActorStore.Blocks;
using BlockReplica = ActorStore.Blocks.Replica;

namespace ActorStore.Volume.Replicas.Data;

/// <summary>
/// One engine's connection to a replica through the node's data port: the challenge and handshake, then a read loop that parses
/// requests and hands each to the thread pool (a large write it runs itself), and a <see cref="FrameWriter"/> that sends the replies
/// as they complete (out of order, each whole). A malformed frame closes this connection only.
/// </summary>
internal sealed class DataConnection
{
    private readonly Socket _socket;
    private readonly NodeDataServer _server;
    private readonly DataServerOptions _options;
    private readonly FrameReader _reader;
    private readonly FrameWriter _writer;
    private readonly SemaphoreSlim _slots;
    private readonly Stack<DataRequest> _free = new();
    private readonly byte[] _header = new byte[FrameHeader.Size];
    private int _closed;

    public DataConnection(Socket socket, NodeDataServer server, DataServerOptions options)
    {
        _socket = socket;
        _server = server;
        _options = options;
        _reader = new FrameReader(socket);
        _writer = new FrameWriter(socket);
        _slots = new SemaphoreSlim(options.MaxInFlightPerConnection, options.MaxInFlightPerConnection);
    }

    /// <summary>The replica this connection serves, once its handshake is accepted.</summary>
    public BlockReplica Replica { get; private set; } = null!;

    /// <summary>Set by the server when it admits the handshake (under its lock).</summary>
    public string? ReplicaId { get; set; }

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

    // The layer name last received: a rebuild names the same layer in every request for it.
    private LayerName? _lastName;

    /// <summary>The snapshot name a rebuild request carries (a bad name is refused by the replica as InvalidName).</summary>
    public string LayerName(ReadOnlySpan<byte> bytes)
    {
        if (_lastName is { } last && bytes.SequenceEqual(last.Bytes)) return last.Name;
        var name = new LayerName(System.Text.Encoding.ASCII.GetString(bytes), bytes.ToArray());
        _lastName = name;
        return name.Name;
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

    /// <summary>
    /// Challenge, Hello, answer: the client signs the server's nonce with the cluster secret, names its replica and
    /// the epoch it was opened under. Anything else — no Hello in time, garbage, a wrong proof — closes the
    /// connection with nothing changed.
    /// </summary>
    private async Task<bool> HandshakeAsync()
    {
        using var timeout = new CancellationTokenSource(_options.HandshakeTimeout);
        var peer = SafePeer();
        try
        {
            var nonce = System.Security.Cryptography.RandomNumberGenerator.GetBytes(FrameCodec.NonceSize);
            await _socket.SendAsync(FrameCodec.EncodeChallenge(nonce), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            if (!await _reader.ReadExactAsync(_header, timeout.Token).ConfigureAwait(false)) return Refused(peer, "closed before its Hello");
            var hello = FrameHeader.ReadFrom(_header);
            if (hello.Op != DataOp.Hello || !FrameCodec.IsValidRequest(hello)) return Refused(peer, "not a Hello (garbage, or another protocol)");
            var payload = new byte[hello.PayloadLength];
            if (!await _reader.ReadExactAsync(payload, timeout.Token).ConfigureAwait(false)) return Refused(peer, "a truncated Hello");
            var (status, why) = Admit(hello, payload, nonce);
            var reply = new byte[FrameHeader.Size];
            FrameCodec.Reply(hello with { Length = FrameCodec.ProtocolVersion }, status, 0).WriteTo(reply);
            await _socket.SendAsync(reply, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            if (status == ReplicaStatus.Ok) return true;
            _socket.Shutdown(SocketShutdown.Send); // let the refusal arrive before the close
            return Refused(peer, why!);
        }
        catch (OperationCanceledException)
        {
            return Refused(peer, $"no handshake within {_options.HandshakeTimeout.TotalSeconds:0} s");
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

    private bool Refused(System.Net.EndPoint? peer, string why)
    {
        _server.Refused(peer, why);
        return false;
    }

    private System.Net.EndPoint? SafePeer()
    {
        try
        {
            return _socket.RemoteEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private (ReplicaStatus Status, string? Why) Admit(in FrameHeader hello, byte[] payload, byte[] nonce)
    {
        if (hello.Length != FrameCodec.ProtocolVersion) return (ReplicaStatus.InvalidArgument, $"protocol version {hello.Length}, this node speaks {FrameCodec.ProtocolVersion}");
        if (!FrameCodec.IsProven(hello, payload, nonce, _server.Secret)) return (ReplicaStatus.InvalidArgument, "it does not prove the cluster secret (another cluster, or no secret)");
        var (volumeId, replicaId) = FrameCodec.DecodeHello(payload);
        // Not a replica of this node, or of another volume: a wrong address or a stale placement.
        if (_server.Admit(this, replicaId) is not { } replica) return (ReplicaStatus.NotFound, $"no replica '{replicaId}' is open on this node");
        try
        {
            var identity = replica.Identity;
            if (volumeId != identity.VolumeId) return (ReplicaStatus.NotFound, $"replica '{replicaId}' is not of volume {volumeId}");
            // Only the epoch the replica accepted from its controller (OpenReplica): an older one is fenced, a newer one forged.
            if (hello.Offset < identity.Epoch) return (ReplicaStatus.StaleEpoch, $"epoch {hello.Offset} is older than replica '{replicaId}''s {identity.Epoch}");
            if (hello.Offset > identity.Epoch) return (ReplicaStatus.InvalidArgument, $"epoch {hello.Offset} was never opened on replica '{replicaId}' (it is at {identity.Epoch})");
            Replica = replica;
            Epoch = hello.Offset;
            return (ReplicaStatus.Ok, null);
        }
        catch (ObjectDisposedException)
        {
            return (ReplicaStatus.IoError, $"replica '{replicaId}' is closing");
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
