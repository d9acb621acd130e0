using System.Runtime.InteropServices;

namespace ActorStore.Blocks.Devices;

/// <summary>
/// A minimal io_uring used for one thing: submitting the many small preads of a read that spans
/// several layers as one system call. A read of 1 MiB over a chain of snapshots with scattered blocks
/// is otherwise hundreds of preads, and their entry and exit cost dominates. Each ring is used by one
/// caller at a time (a small pool, one slot per caller), submits a batch, and waits for all of it.
/// Where the kernel refuses io_uring (seccomp, old kernel), <see cref="TryRent"/> returns null and the
/// caller reads piece by piece.
/// </summary>
internal sealed unsafe partial class URing
{
    public const int Entries = 256;
    private const int SysSetup = 425, SysEnter = 426;
    private const uint EnterGetEvents = 1, FeatSingleMmap = 1;
    private const byte OpRead = 22;
    private const int ProtRead = 1, ProtWrite = 2, MapShared = 1, MapPopulate = 0x8000;
    private const long OffSqRing = 0, OffCqRing = 0x8000000, OffSqes = 0x10000000;
    private const int Eintr = 4, Eagain = 11, Ebusy = 16, Einval = 22, Eopnotsupp = 95;

    private static readonly URing?[] Pool = new URing?[Math.Max(4, Environment.ProcessorCount * 2)];
    private static readonly int[] Busy = new int[Pool.Length];
    private static volatile bool _unavailable;

    private readonly int _fd;
    private readonly uint* _sqTail, _sqMask, _sqArray, _cqHead, _cqTail, _cqMask;
    private readonly byte* _sqes, _cqes;
    private readonly int _slot;

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long a, long b, long c, long d, long e, long f);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint addr, nint length, int prot, int flags, int fd, long offset);

    private URing(int fd, byte* p, int slot)
    {
        _fd = fd;
        _slot = slot;
        var sqEntries = *(uint*)p;
        var cqEntries = *(uint*)(p + 4);
        var features = *(uint*)(p + 20);
        var sq = p + 40;
        var cq = p + 80;
        var sqSize = *(uint*)(sq + 24) + sqEntries * 4;
        var cqSize = *(uint*)(cq + 20) + cqEntries * 16;
        var single = (features & FeatSingleMmap) != 0;
        var sqRing = Map(fd, single ? Math.Max(sqSize, cqSize) : sqSize, OffSqRing);
        var cqRing = single ? sqRing : Map(fd, cqSize, OffCqRing);
        _sqes = Map(fd, sqEntries * 64, OffSqes);
        _sqTail = (uint*)(sqRing + *(uint*)(sq + 4));
        _sqMask = (uint*)(sqRing + *(uint*)(sq + 8));
        _sqArray = (uint*)(sqRing + *(uint*)(sq + 24));
        _cqHead = (uint*)(cqRing + *(uint*)cq);
        _cqTail = (uint*)(cqRing + *(uint*)(cq + 4));
        _cqMask = (uint*)(cqRing + *(uint*)(cq + 8));
        _cqes = cqRing + *(uint*)(cq + 20);
    }

    private static byte* Map(int fd, uint size, long offset)
    {
        var p = mmap(0, (nint)size, ProtRead | ProtWrite, MapShared | MapPopulate, fd, offset);
        if (p == -1) throw LinuxNative.LastError("mmap io_uring");
        return (byte*)p;
    }

    /// <summary>A free ring, or null when none is free or io_uring is not available here.</summary>
    public static URing? TryRent()
    {
        if (_unavailable) return null;
        var start = Thread.GetCurrentProcessorId();
        for (var i = 0; i < Pool.Length; i++)
        {
            var slot = (start + i) % Pool.Length;
            if (Interlocked.CompareExchange(ref Busy[slot], 1, 0) != 0) continue;
            var ring = Pool[slot];
            if (ring is not null) return ring;
            ring = Create(slot);
            if (ring is null)
            {
                Volatile.Write(ref Busy[slot], 0);
                return null;
            }
            Pool[slot] = ring;
            return ring;
        }
        return null;
    }

    public void Return() => Volatile.Write(ref Busy[_slot], 0);

    private static URing? Create(int slot)
    {
        var p = stackalloc byte[120];
        new Span<byte>(p, 120).Clear();
        var fd = (int)syscall(SysSetup, Entries, (long)p, 0, 0, 0, 0);
        if (fd < 0)
        {
            _unavailable = true;
            return null;
        }
        try
        {
            return new URing(fd, p, slot);
        }
        catch (IOException)
        {
            close(fd);
            _unavailable = true;
            return null;
        }
    }

    /// <summary>
    /// Reads every piece (at most <see cref="Entries"/>) into <paramref name="destination"/> and returns
    /// once all have completed; a piece past the end of its file reads zeros. A failed piece is returned
    /// as an error after all pieces completed. Returns <see cref="Unsupported"/> when this kernel's
    /// io_uring cannot read (before 5.6): nothing is in flight then and the caller reads piece by piece.
    /// </summary>
    public IOException? Read(ReadOnlySpan<ScatteredRead> pieces, byte* destination)
    {
        var n = (uint)pieces.Length;
        var tail = *_sqTail;
        for (var i = 0u; i < n; i++)
        {
            var piece = pieces[(int)i];
            var index = (tail + i) & *_sqMask;
            var sqe = _sqes + index * 64;
            new Span<byte>(sqe, 64).Clear();
            sqe[0] = OpRead;
            *(int*)(sqe + 4) = (int)Descriptor(piece.File);
            *(long*)(sqe + 8) = piece.Offset;
            *(long*)(sqe + 16) = (long)(destination + piece.At);
            *(uint*)(sqe + 24) = (uint)piece.Length;
            *(ulong*)(sqe + 32) = i;
            _sqArray[index] = index;
        }
        Volatile.Write(ref *_sqTail, tail + n);

        uint submitted = 0, completed = 0;
        var retries = 0;
        IOException? error = null;
        var unsupported = false;
        while (completed < n)
        {
            var r = syscall(SysEnter, _fd, n - submitted, n - completed, EnterGetEvents, 0, 0);
            if (r < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Eintr || (errno is Eagain or Ebusy && ++retries < 10_000))
                {
                    Thread.Yield();
                    continue;
                }
                // Unconsumed entries stay in this ring, so it is never handed out again (the caller does not return it).
                if (submitted == completed) throw LinuxNative.LastError("io_uring_enter");
                // Reads in flight would go on writing into memory the caller is about to reuse.
                Environment.FailFast($"io_uring_enter failed (errno {errno}) with reads in flight");
            }
            submitted += (uint)r;
            var head = *_cqHead;
            var end = Volatile.Read(ref *_cqTail);
            for (; head != end; head++, completed++)
            {
                var cqe = _cqes + (head & *_cqMask) * 16;
                var piece = pieces[(int)*(ulong*)cqe];
                var res = *(int*)(cqe + 8);
                if (res is -Einval or -Eopnotsupp) unsupported = true;
                else if (res < 0) error ??= new IOException($"read: {Marshal.GetPInvokeErrorMessage(-res)} (errno {-res})", -res);
                else if (res < piece.Length && error is null)
                {
                    try
                    {
                        LinuxNative.ReadFully(Descriptor(piece.File), piece.Offset + res, new Span<byte>(destination + piece.At + res, piece.Length - res));
                    }
                    catch (IOException e)
                    {
                        error = e;
                    }
                }
            }
            Volatile.Write(ref *_cqHead, head);
        }
        if (unsupported)
        {
            _unavailable = true;
            return Unsupported;
        }
        return error;
    }

    /// <summary>Returned by <see cref="Read"/> when io_uring cannot read on this kernel.</summary>
    public static readonly IOException Unsupported = new("io_uring cannot read here");

    private static nint Descriptor(IFileHandle file) => ((LinuxFileSystem.LinuxFileHandle)file).Descriptor;
}
