using System.Buffers;

namespace ActorStore.Backup.Targets;

/// <summary>An object's bytes in a buffer rented from the shared pool; disposing returns it (once).</summary>
public sealed class PooledBytes : IDisposable
{
    private byte[]? _buffer;

    public PooledBytes(int length)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        Length = length;
    }

    public int Length { get; private set; }

    public Memory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(PooledBytes))).AsMemory(0, Length);

    public ReadOnlySpan<byte> Span => Memory.Span;

    /// <summary>Fewer bytes arrived than were announced: only those count.</summary>
    public void Shorten(int length) => Length = Math.Min(Length, length);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } b) ArrayPool<byte>.Shared.Return(b);
    }
}
