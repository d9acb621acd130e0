namespace ActorStore.Volume.Replicas.Data;

/// <summary>A frame queued for a <see cref="FrameWriter"/>: its header bytes, an optional short prefix and an optional payload.</summary>
internal abstract class OutgoingFrame
{
    public readonly byte[] Header = new byte[FrameHeader.Size];

    /// <summary>Sent between the header and the payload: a layer's name in front of a rebuild request's data.</summary>
    public ReadOnlyMemory<byte> Prefix;

    public ReadOnlyMemory<byte> Payload;

    /// <summary>
    /// The writer is done with the frame: its bytes are on the socket, or never will be (connection
    /// closed). Called exactly once per enqueued frame; the server returns its buffers here.
    /// </summary>
    public abstract void Sent();
}
