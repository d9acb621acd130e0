namespace ActorStore.Volume.Io;

/// <summary>
/// The outcome of one I/O request on a volume, as the frontend sees it. The NBD frontend maps each to
/// its errno in one place (EINVAL, ENOSPC, EIO, ESHUTDOWN, ENOTSUP).
/// </summary>
public enum IoStatus
{
    Ok,
    /// <summary>A request that can never succeed: range past the end, bad length (EINVAL).</summary>
    InvalidArgument,
    /// <summary>Every writable replica is out of space (ENOSPC). No replica was failed.</summary>
    NoSpace,
    /// <summary>No replica could serve the request (EIO).</summary>
    IoError,
    /// <summary>The engine is draining or stopped (ESHUTDOWN).</summary>
    ShuttingDown,
    /// <summary>The request cannot be served cheaply, e.g. a FAST_ZERO that would have to write (ENOTSUP).</summary>
    NotSupported,
}
