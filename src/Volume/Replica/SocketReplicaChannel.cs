using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ActorStore.Blocks;
using ActorStore.Volume.Io;
using ActorStore.Volume.Replicas.Data;

namespace ActorStore.Volume.Replicas;

/// <summary>
/// The engine's connection to a replica through its node's data port (<see cref="NodeDataServer"/>). Any
/// number of requests in flight from any threads: frames are queued to one writer loop, one receive loop
/// completes requests by sequence, Read data is received straight into the caller's memory, and the
/// per-request state is pooled, so a request allocates nothing. A timeout, a protocol error or a broken
/// socket breaks the channel for good: every pending and later request returns IoError (the engine then
/// marks the replica ERR and, to use it again, connects anew).
/// </summary>
public sealed class SocketReplicaChannel : IReplicaChannel
{
    private readonly Socket _socket;
    private readonly FrameReader _reader;
    private readonly FrameWriter _writer;
    private readonly PendingTable _table = new();
    private readonly long _timeoutTicks;
    private readonly Timer _timer;
    private readonly Task _receiving;
    private readonly Task _writing;

    private SocketReplicaChannel(Socket socket, FrameReader reader, string replicaId, long epoch, ReplicaChannelOptions options)
    {
        _socket = socket;
        _reader = reader;
        _writer = new FrameWriter(socket);
        ReplicaId = replicaId;
        Epoch = epoch;
        _timeoutTicks = (long)(options.RequestTimeout.TotalSeconds * Stopwatch.Frequency);
        // Checked a few times per timeout (at most once a second): a request fails within about 1.25 timeouts.
        var period = options.RequestTimeout == Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : TimeSpan.FromTicks(Math.Clamp(options.RequestTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        _timer = new Timer(static s => ((SocketReplicaChannel)s!).CheckTimeouts(), this, period, period);
        _writing = WriteThenBreakAsync();
        _receiving = ReceiveLoopAsync();
    }

    public string ReplicaId { get; }

    public bool IsLocal => false;

    public long Epoch { get; }

    /// <summary>False once the channel is broken (timeout, connection lost, disposed): every request then fails.</summary>
    public bool IsConnected => !_table.IsBroken;

    public bool IsBroken => _table.IsBroken;

    /// <summary>
    /// Connects and performs the handshake: answers the server's challenge with a proof of <paramref name="secret"/>
    /// and names the replica and the epoch it was opened under. The status is the replica's answer:
    /// <see cref="ReplicaStatus.StaleEpoch"/> when it has accepted a newer engine, <see cref="ReplicaStatus.NotFound"/>
    /// when the node has no such replica of this volume, <see cref="ReplicaStatus.InvalidArgument"/> for a wrong secret
    /// or an epoch the replica was not opened under, <see cref="ReplicaStatus.IoError"/> when it cannot be reached or
    /// answers nonsense in time (<see cref="ReplicaChannelOptions.ConnectTimeout"/>). Only cancelling <paramref name="ct"/> throws.
    /// </summary>
    public static async Task<(ReplicaStatus Status, SocketReplicaChannel? Channel)> ConnectAsync(
        IPEndPoint endpoint, DataSecret secret, Guid volumeId, string replicaId, long epoch, ReplicaChannelOptions? options = null, CancellationToken ct = default)
    {
        options ??= ReplicaChannelOptions.Default;
        if (options.RequestTimeout <= TimeSpan.Zero && options.RequestTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(options), options.RequestTimeout, "RequestTimeout must be positive or infinite.");
        if (FrameCodec.EncodeHello(volumeId, replicaId, epoch, new byte[FrameCodec.NonceSize], secret) is null) return (ReplicaStatus.InvalidArgument, null);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);
        var status = ReplicaStatus.IoError;
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            var reader = new FrameReader(socket);
            var header = new byte[FrameHeader.Size];
            if (!await reader.ReadExactAsync(header, timeout.Token).ConfigureAwait(false)) return (status, null);
            var challenge = FrameHeader.ReadFrom(header);
            if (!FrameCodec.IsValidReply(challenge) || challenge.Op != DataOp.Challenge) return (status, null);
            var nonce = new byte[FrameCodec.NonceSize];
            if (!await reader.ReadExactAsync(nonce, timeout.Token).ConfigureAwait(false)) return (status, null);
            await socket.SendAsync(FrameCodec.EncodeHello(volumeId, replicaId, epoch, nonce, secret)!, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            if (!await reader.ReadExactAsync(header, timeout.Token).ConfigureAwait(false)) return (status, null);
            var reply = FrameHeader.ReadFrom(header);
            if (!FrameCodec.IsValidReply(reply) || reply.Op != DataOp.Hello) return (status, null);
            status = Known(reply.Status);
            return status == ReplicaStatus.Ok ? (status, new SocketReplicaChannel(socket, reader, replicaId, epoch, options)) : (status, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (ReplicaStatus.IoError, null); // connect timeout
        }
        catch (SocketException)
        {
            return (ReplicaStatus.IoError, null);
        }
        finally
        {
            if (status != ReplicaStatus.Ok) socket.Dispose();
        }
    }

    public ValueTask<ReplicaStatus> ReadAsync(long offset, Memory<byte> destination) =>
        destination.Length > FrameCodec.MaxPayload
            ? new ValueTask<ReplicaStatus>(ReplicaStatus.InvalidArgument)
            : Start(DataOp.Read, DataFlags.None, offset, destination.Length, default, destination, null);

    /// <summary>Never: the data is in another process.</summary>
    public bool TryReadCached(long offset, Span<byte> destination) => false;

    public ValueTask<ReplicaStatus> WriteAsync(long offset, ReadOnlyMemory<byte> data, bool track = false) =>
        data.Length > FrameCodec.MaxPayload
            ? new ValueTask<ReplicaStatus>(ReplicaStatus.InvalidArgument)
            : Start(DataOp.Write, Flags(track), offset, data.Length, data, default, null);

    public ValueTask<ReplicaStatus> WriteZeroesAsync(long offset, long length, bool allocate, bool track = false) =>
        Start(DataOp.WriteZeroes, (allocate ? DataFlags.Allocate : DataFlags.None) | Flags(track), offset, length, default, default, null);

    public ValueTask<ReplicaStatus> TrimAsync(long offset, long length, bool track = false) =>
        Start(DataOp.Trim, Flags(track), offset, length, default, default, null);

    private static DataFlags Flags(bool track) => track ? DataFlags.Track : DataFlags.None;

    public ValueTask<ReplicaStatus> FlushAsync() =>
        Start(DataOp.Flush, DataFlags.None, 0, 0, default, default, null);

    /// <summary>
    /// Adds the allocation of the range to <paramref name="into"/>. A very fragmented map may come back
    /// shortened to what one 32 MiB reply holds (a prefix of the range, as NBD block status allows).
    /// </summary>
    public ValueTask<ReplicaStatus> GetAllocationAsync(long offset, long length, List<AllocationExtent> into) =>
        Start(DataOp.GetAllocation, DataFlags.None, offset, length, default, default, into);

    public ValueTask<ReplicaStatus> GetLayerExtentsAsync(string snapshot, long offset, long length, List<AllocationExtent> into) =>
        NameBytes(snapshot) is { } name
            ? Start(DataOp.LayerExtents, DataFlags.None, offset, length, default, default, into, name)
            : new ValueTask<ReplicaStatus>(ReplicaStatus.InvalidName);

    public ValueTask<ReplicaStatus> ReadLayerAsync(string snapshot, long offset, Memory<byte> destination) =>
        destination.Length > FrameCodec.MaxPayload ? new ValueTask<ReplicaStatus>(ReplicaStatus.InvalidArgument)
        : NameBytes(snapshot) is { } name ? Start(DataOp.ReadLayer, DataFlags.None, offset, destination.Length, default, destination, null, name)
        : new ValueTask<ReplicaStatus>(ReplicaStatus.InvalidName);

    public ValueTask<ReplicaStatus> WriteStagedAsync(string snapshot, long offset, ReadOnlyMemory<byte> data) =>
        data.Length > FrameCodec.MaxPayload - FrameCodec.MaxLayerName ? new ValueTask<ReplicaStatus>(ReplicaStatus.InvalidArgument)
        : NameBytes(snapshot) is { } name ? Start(DataOp.WriteStaged, DataFlags.None, offset, data.Length, data, default, null, name)
        : new ValueTask<ReplicaStatus>(ReplicaStatus.InvalidName);

    // The name last sent (one reference, so threads never see half of it): a rebuild names the same layer with every piece.
    private LayerName? _lastName;

    private byte[]? NameBytes(string snapshot)
    {
        if (_lastName is { } last && last.Name == snapshot) return last.Bytes;
        if (!Blocks.Names.IsValid(snapshot)) return null;
        var name = new LayerName(snapshot, System.Text.Encoding.ASCII.GetBytes(snapshot));
        _lastName = name;
        return name.Bytes;
    }

    private ValueTask<ReplicaStatus> Start(
        DataOp op, DataFlags flags, long offset, long length, ReadOnlyMemory<byte> payload, Memory<byte> destination, List<AllocationExtent>? extents,
        ReadOnlyMemory<byte> prefix = default)
    {
        var result = _table.Start(op, flags, offset, length, prefix, payload, destination, extents, Stopwatch.GetTimestamp(), out var request);
        // The writer refuses only once it is completed, which is always followed by Break(): that fails the request.
        if (request is not null) _writer.TryEnqueue(request);
        return result;
    }

    private async Task ReceiveLoopAsync()
    {
        var header = new byte[FrameHeader.Size];
        PendingRequest? current = null; // taken from the table: only this loop may complete it
        try
        {
            while (await _reader.ReadExactAsync(header).ConfigureAwait(false))
            {
                var reply = FrameHeader.ReadFrom(header);
                if (!FrameCodec.IsValidReply(reply) || reply.Op == DataOp.Hello) return;
                current = _table.Take(reply.Sequence);
                if (current is null || current.Op != reply.Op) return; // not an answer to anything we asked
                var length = (int)reply.PayloadLength;
                if (current.Op is DataOp.Read or DataOp.ReadLayer && reply.Status == ReplicaStatus.Ok)
                {
                    if (length != current.Destination.Length) return; // an Ok read carries exactly what was asked
                    if (!await _reader.ReadExactAsync(current.Destination).ConfigureAwait(false)) return;
                }
                else if (current.Op is DataOp.GetAllocation or DataOp.LayerExtents && length > 0)
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(length);
                    var complete = await _reader.ReadExactAsync(buffer.AsMemory(0, length)).ConfigureAwait(false);
                    if (complete) FrameCodec.DecodeExtents(buffer.AsSpan(0, length), current.Extents!);
                    ArrayPool<byte>.Shared.Return(buffer);
                    if (!complete) return;
                }
                var done = current;
                current = null;
                done.Complete(Known(reply.Status));
            }
        }
        catch (SocketException)
        {
            // Connection lost: below, everything pending fails.
        }
        catch (ObjectDisposedException)
        {
            // Broken by a timeout, the writer or DisposeAsync.
        }
        finally
        {
            Break();
            // Only now, with the socket closed and nothing more written into its destination, may the caller go on.
            current?.Complete(ReplicaStatus.IoError);
        }
    }

    private async Task WriteThenBreakAsync()
    {
        await _writer.RunAsync().ConfigureAwait(false);
        Break();
    }

    private void CheckTimeouts()
    {
        if (_table.AnyStartedBefore(Stopwatch.GetTimestamp() - _timeoutTicks)) Break(ReplicaStatus.TimedOut);
    }

    /// <summary>
    /// Breaks the channel for good; the pending requests answer <paramref name="why"/> (a lost connection, or
    /// one past its deadline). The socket is closed before any caller is released, so no request's memory is
    /// read by a send (or written by a receive) after its caller has the result.
    /// </summary>
    private void Break(ReplicaStatus why = ReplicaStatus.IoError)
    {
        var failed = _table.Break();
        if (failed is null) return;
        _socket.Dispose();
        _writer.Complete();
        _timer.Dispose();
        foreach (var request in failed) request.Complete(why);
    }

    private static ReplicaStatus Known(ReplicaStatus status) =>
        status is >= ReplicaStatus.Ok and <= ReplicaStatus.Failed ? status : ReplicaStatus.IoError;

    /// <summary>Closes the connection: requests still pending fail with IoError.</summary>
    public async ValueTask DisposeAsync()
    {
        Break();
        await _receiving.ConfigureAwait(false);
        await _writing.ConfigureAwait(false);
    }
}
