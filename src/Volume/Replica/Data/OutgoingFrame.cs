namespace ActorStore.Volume.Replicas.Data;

/// <summary>A frame queued for a <see cref="FrameWriter"/>: its header bytes and an optional payload.</summary>
internal abstract class OutgoingFrame
{
    public readonly byte[] Header = new byte[FrameHeader.Size];

    public ReadOnlyMemory<byte> Payload;

    /// <summary>
    /// The writer is done with the frame: its bytes are on the socket, or never will be (connection
    /// closed). Called exactly once per enqueued frame; the server returns its buffers here.
    /// </summary>
    public abstract void Sent();
}
