using ActorStore.Volume.Io;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>The one place that maps an I/O outcome to its NBD error value, and an error value to a message.</summary>
public static class NbdErrors
{
    public static uint FromStatus(IoStatus status) => status switch
    {
        IoStatus.Ok => 0,
        IoStatus.InvalidArgument => NbdConstants.EInval,
        IoStatus.NoSpace => NbdConstants.ENoSpc,
        IoStatus.IoError => NbdConstants.EIo,
        IoStatus.ShuttingDown => NbdConstants.EShutdown,
        IoStatus.NotSupported => NbdConstants.ENotSup,
        _ => NbdConstants.EIo,
    };

    /// <summary>A short text for the structured error chunk (static UTF-8: nothing allocated).</summary>
    public static ReadOnlySpan<byte> Message(uint error) => error switch
    {
        NbdConstants.EInval => "invalid request"u8,
        NbdConstants.ENoSpc => "no space (or write past the end)"u8,
        NbdConstants.EIo => "I/O error"u8,
        NbdConstants.EShutdown => "server is shutting down"u8,
        NbdConstants.ENotSup => "zeroing is not fast here"u8,
        NbdConstants.EOverflow => "too large"u8,
        _ => "error"u8,
    };
}
