using System.Buffers;
using ActorStore.Blocks;
using BlockReplica = ActorStore.Blocks.Replica;

namespace ActorStore.Volume.Replicas.Data;

/// <summary>
/// One request on the server, from its parsed header to its reply leaving the socket. Pooled per
/// connection and run on the thread pool as a work item (no closure, no Task), because replica calls
/// are synchronous disk I/O that must not stall the connection's read loop; only a large write, just
/// received, is run by the read loop itself (see DataConnection).
/// </summary>
internal sealed class DataRequest(DataConnection connection) : OutgoingFrame, IThreadPoolWorkItem
{
    private readonly List<AllocationExtent> _extents = [];
    private FrameHeader _request;
    private byte[]? _buffer;

    /// <summary>Takes a parsed request; returns the memory its payload (a Write's data, a layer's name and data) must be read into.</summary>
    public Memory<byte> Begin(in FrameHeader request)
    {
        _request = request;
        if (request.PayloadLength == 0) return Memory<byte>.Empty;
        _buffer = ArrayPool<byte>.Shared.Rent((int)request.PayloadLength);
        return _buffer.AsMemory(0, (int)request.PayloadLength);
    }

    public void Execute()
    {
        var status = Run(connection.Replica, out var payloadLength);
        FrameCodec.Reply(_request, status, payloadLength).WriteTo(Header);
        Payload = payloadLength == 0 ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, payloadLength);
        connection.Reply(this);
    }

    private ReplicaStatus Run(BlockReplica replica, out int payloadLength)
    {
        payloadLength = 0;
        // Fencing (DESIGN §2): once a newer engine has been accepted, this connection's engine is stale.
        if (replica.Epoch > connection.Epoch) return ReplicaStatus.StaleEpoch;
        var r = _request;
        try
        {
            switch (r.Op)
            {
                case DataOp.Read:
                    if (r.Length < 0 || r.Offset < 0) return ReplicaStatus.OutOfRange;
                    if (r.Length > FrameCodec.MaxPayload) return ReplicaStatus.InvalidArgument;
                    _buffer = ArrayPool<byte>.Shared.Rent((int)r.Length);
                    var read = replica.Read(r.Offset, _buffer.AsSpan(0, (int)r.Length));
                    if (read == ReplicaStatus.Ok) payloadLength = (int)r.Length;
                    return read;
                // Fenced again inside the replica's I/O gate: the check above may predate a newer engine's acceptance.
                case DataOp.Write:
                    return replica.Write(r.Offset, _buffer is null ? ReadOnlySpan<byte>.Empty : _buffer.AsSpan(0, (int)r.Length), connection.Epoch, Tracked(r));
                case DataOp.WriteZeroes:
                    return replica.WriteZeroes(r.Offset, r.Length, allocate: (r.Flags & DataFlags.Allocate) != 0, connection.Epoch, Tracked(r));
                case DataOp.Trim:
                    return replica.Trim(r.Offset, r.Length, connection.Epoch, Tracked(r));
                case DataOp.Flush:
                    return replica.Flush(connection.Epoch);
                case DataOp.GetAllocation:
                    return Allocation(replica, r, out payloadLength);
                case DataOp.ReadLayer:
                    return ReadLayer(replica, r, out payloadLength);
                case DataOp.WriteStaged:
                    {
                        var nameLength = FrameCodec.LayerNameLength(r);
                        return replica.WriteStaged(connection.LayerName(_buffer.AsSpan(0, nameLength)), r.Offset, _buffer.AsSpan(nameLength, (int)r.Length));
                    }
                case DataOp.LayerExtents:
                    return LayerExtents(replica, r, out payloadLength);
                default:
                    return ReplicaStatus.InvalidArgument; // FrameCodec lets no other op through
            }
        }
        catch (ObjectDisposedException)
        {
            // The replica was closed under a request in flight (its owner stopping): an I/O error to the engine.
            return ReplicaStatus.IoError;
        }
    }

    private ReplicaStatus ReadLayer(BlockReplica replica, in FrameHeader r, out int payloadLength)
    {
        payloadLength = 0;
        if (r.Length < 0 || r.Offset < 0) return ReplicaStatus.OutOfRange;
        if (r.Length > FrameCodec.MaxPayload) return ReplicaStatus.InvalidArgument;
        var name = connection.LayerName(_buffer.AsSpan(0, FrameCodec.LayerNameLength(r)));
        ArrayPool<byte>.Shared.Return(_buffer!);
        _buffer = ArrayPool<byte>.Shared.Rent((int)r.Length);
        var read = replica.ReadLayer(name, r.Offset, _buffer.AsSpan(0, (int)r.Length));
        if (read == ReplicaStatus.Ok) payloadLength = (int)r.Length;
        return read;
    }

    private ReplicaStatus LayerExtents(BlockReplica replica, in FrameHeader r, out int payloadLength)
    {
        payloadLength = 0;
        var name = connection.LayerName(_buffer.AsSpan(0, FrameCodec.LayerNameLength(r)));
        var blocks = new List<BlockExtent>();
        var status = replica.GetLayerExtents(name, r.Offset, r.Length, blocks);
        if (status != ReplicaStatus.Ok) return status;
        _extents.Clear();
        foreach (var e in blocks) _extents.Add(new AllocationExtent(e.Offset, e.Length, IsHole: false));
        return Encode(out payloadLength);
    }

    private ReplicaStatus Allocation(BlockReplica replica, in FrameHeader r, out int payloadLength)
    {
        payloadLength = 0;
        _extents.Clear();
        var status = replica.GetAllocation(r.Offset, r.Length, _extents);
        return status == ReplicaStatus.Ok ? Encode(out payloadLength) : status;
    }

    /// <summary>Encodes the extents gathered into a pooled reply buffer (as many as one reply holds).</summary>
    private ReplicaStatus Encode(out int payloadLength)
    {
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, FrameCodec.EncodedExtentsSize(_extents.Count)));
        payloadLength = FrameCodec.EncodeExtents(_extents, _buffer.AsSpan(0, FrameCodec.EncodedExtentsSize(_extents.Count)));
        _extents.Clear();
        if (_extents.Capacity > 4096) _extents.Capacity = 16; // do not keep a huge map alive in the pool
        return ReplicaStatus.Ok;
    }

    public override void Sent()
    {
        Payload = ReadOnlyMemory<byte>.Empty;
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        connection.Release(this);
    }

    private static bool Tracked(in FrameHeader r) => (r.Flags & DataFlags.Track) != 0;
}
