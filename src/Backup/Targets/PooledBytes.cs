using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ActorStore.Backup.Targets;

/// <summary>
/// An object's bytes in a pooled buffer; disposing returns it (once). Up to 16 MiB (a block and its compression bound) the
/// bytes start on a page of a pinned array, so a directory target writes a block from them with O_DIRECT (see
/// <see cref="DirectFile"/>); a larger object (the record of a big volume) gets an array of its own.
/// </summary>
public sealed class PooledBytes : IDisposable
{
    public const int Alignment = 4096;
    private const int MaxPooledShift = 24; // 16 MiB: a block and its compression bound fit
    private const int KeptPerSize = 16;
    private static readonly ConcurrentQueue<byte[]>[] Pool = Enumerable.Range(0, MaxPooledShift + 1).Select(_ => new ConcurrentQueue<byte[]>()).ToArray();
    private readonly int _shift;
    private readonly int _start;
    private byte[]? _array; // a page longer than the capacity: a page boundary lies within its first page

    public PooledBytes(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        if (length > 1 << MaxPooledShift)
        {
            (_shift, _array) = (-1, GC.AllocateUninitializedArray<byte>(length));
            return;
        }
        _shift = Math.Max(12, BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(length, 1))));
        _array = Pool[_shift].TryDequeue(out var a) ? a : GC.AllocateUninitializedArray<byte>((1 << _shift) + Alignment, pinned: true);
        _start = (int)((Alignment - AddressOf(_array) % Alignment) % Alignment);
    }

    public int Length { get; private set; }

    public Memory<byte> Memory => (_array ?? throw new ObjectDisposedException(nameof(PooledBytes))).AsMemory(_start, Length);

    public Span<byte> Span => Memory.Span;

    /// <summary>Fewer bytes arrived than were announced: only those count.</summary>
    public void Shorten(int length) => Length = Math.Min(Length, length);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _array, null) is { } a && _shift >= 0 && Pool[_shift].Count < KeptPerSize) Pool[_shift].Enqueue(a);
    }

    private static unsafe nint AddressOf(byte[] array) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
}
