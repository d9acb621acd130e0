using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// One reusable gathered send (sendmsg over a list of buffers) awaited as a ValueTask: unlike
/// <c>Socket.SendAsync(IList)</c>, which returns a new Task when it completes at once, it allocates
/// nothing per send. One send at a time (the connection's send loop).
/// </summary>
internal sealed class GatheredSend : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private ManualResetValueTaskSourceCore<int> _core = new() { RunContinuationsAsynchronously = true };

    public GatheredSend()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Sends <paramref name="buffers"/>; the result is the number of bytes sent (a short send is possible).</summary>
    public ValueTask<int> SendAsync(Socket socket, IList<ArraySegment<byte>> buffers)
    {
        _core.Reset();
        BufferList = buffers;
        if (socket.SendAsync(this))
        {
            return new ValueTask<int>(this, _core.Version);
        }

        return SocketError == SocketError.Success
            ? new ValueTask<int>(BytesTransferred)
            : ValueTask.FromException<int>(new SocketException((int)SocketError));
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        if (SocketError == SocketError.Success)
        {
            _core.SetResult(BytesTransferred);
        }
        else
        {
            _core.SetException(new SocketException((int)SocketError));
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
