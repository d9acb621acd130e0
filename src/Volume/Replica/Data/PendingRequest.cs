using System.Threading.Tasks.Sources;
using ActorStore.Blocks;

namespace ActorStore.Volume.Replicas.Data;

/// <summary>
/// A client request from the moment it is queued until its caller has the result: the frame to send,
/// where its reply goes, and the awaitable the caller holds. Pooled by its channel and reused once the
/// caller has read the result, so a request allocates nothing.
/// </summary>
internal sealed class PendingRequest(IPendingRequestPool pool) : OutgoingFrame, IValueTaskSource<ReplicaStatus>
{
    // Asynchronous continuations: the caller's code must never run on (and stall) the receive loop.
    private ManualResetValueTaskSourceCore<ReplicaStatus> _core = new() { RunContinuationsAsynchronously = true };

    public DataOp Op { get; private set; }

    /// <summary>Where a Read reply's data is received into: the caller's memory, no copy in between.</summary>
    public Memory<byte> Destination { get; private set; }

    /// <summary>Where a GetAllocation reply's extents are added.</summary>
    public List<AllocationExtent>? Extents { get; private set; }

    /// <summary>When the request was queued (<see cref="System.Diagnostics.Stopwatch"/> ticks), for the timeout.</summary>
    public long Started { get; private set; }

    public ValueTask<ReplicaStatus> Prepare(
        DataOp op, DataFlags flags, ulong sequence, long offset, long length, ReadOnlyMemory<byte> prefix, ReadOnlyMemory<byte> payload, Memory<byte> destination,
        List<AllocationExtent>? extents, long now)
    {
        Op = op;
        Destination = destination;
        Extents = extents;
        Prefix = prefix;
        Payload = payload;
        Started = now;
        FrameCodec.Request(op, flags, sequence, offset, length, prefix.Length + payload.Length).WriteTo(Header);
        return new ValueTask<ReplicaStatus>(this, _core.Version);
    }

    /// <summary>Completes the caller's await; called exactly once, by whoever removed the request from the pending table.</summary>
    public void Complete(ReplicaStatus status) => _core.SetResult(status);

    public override void Sent()
    {
        // Nothing to release: the payload is the caller's, and the caller is still waiting for the reply.
    }

    public ReplicaStatus GetResult(short token)
    {
        var status = _core.GetResult(token);
        Destination = default;
        Prefix = default;
        Payload = default;
        Extents = null;
        _core.Reset();
        pool.Return(this);
        return status;
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

/// <summary>Where a <see cref="PendingRequest"/> goes back once its caller has the result.</summary>
internal interface IPendingRequestPool
{
    void Return(PendingRequest request);
}
