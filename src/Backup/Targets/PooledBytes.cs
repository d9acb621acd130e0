using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ActorStore.Backup.Targets;

/// <summary>
/// An object's bytes in a pooled buffer; disposing returns it (once). The bytes start on a page of a pinned array, so a
/// directory target writes a block from them with O_DIRECT (see <see cref="DirectFile"/>).
/// </summary>
public sealed class PooledBytes : IDisposable
{
    public const int Alignment = 4096;
    private const int MaxPooledShift = 24; // 16 MiB: a block and its compression bound fit; larger records are not pooled
    private const int KeptPerSize = 16;
    private static readonly ConcurrentBag<byte[]>[] Pool = Enumerable.Range(0, MaxPooledShift + 1).Select(_ => new ConcurrentBag<byte[]>()).ToArray();
    private readonly int _shift;
    private readonly int _start;
    private byte[]? _array; // a page longer than the capacity: a page boundary lies within its first page

    public PooledBytes(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _shift = Math.Max(12, BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(length, 1))));
        _array = _shift <= MaxPooledShift && Pool[_shift].TryTake(out var a) ? a : GC.AllocateUninitializedArray<byte>((1 << _shift) + Alignment, pinned: true);
        _start = (int)((Alignment - AddressOf(_array) % Alignment) % Alignment);
        Length = length;
    }

    public int Length { get; private set; }

    public Memory<byte> Memory => (_array ?? throw new ObjectDisposedException(nameof(PooledBytes))).AsMemory(_start, Length);

    public Span<byte> Span => Memory.Span;

    /// <summary>Fewer bytes arrived than were announced: only those count.</summary>
    public void Shorten(int length) => Length = Math.Min(Length, length);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _array, null) is { } a && _shift <= MaxPooledShift && Pool[_shift].Count < KeptPerSize) Pool[_shift].Add(a);
    }

    private static unsafe nint AddressOf(byte[] array) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
}
