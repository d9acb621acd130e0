using System.Runtime.InteropServices;

namespace ActorStore.Blocks.Devices;

/// <summary>The few libc calls .NET does not expose: space reservation and hole punching, FIEMAP, link(2), rename exchange, directory fsync, no-wait reads and O_NOATIME.</summary>
internal static partial class LinuxNative
{
    public const int Enospc = 28;

    private const int FallocKeepSize = 0x01;
    private const int FallocPunchHole = 0x02;
    private const uint FsIocFiemap = 0xC020660B;
    private const uint FiemapExtentLast = 0x1;
    private const uint FiemapExtentUnwritten = 0x800;
    private const uint FiemapFlagSync = 0x1;
    private const int FiemapHeaderSize = 32;
    private const int FiemapExtentSize = 56;
    private const int ExtentsPerCall = 256;
    private const int ORdonly = 0, ODirectory = 0x10000, OCloexec = 0x80000;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fallocate(nint fd, int mode, long offset, long length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(nint fd, uint request, nint argument);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statfs(string path, byte* buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);

    private const int AtFdcwd = -100;
    private const uint RenameExchange = 0x2;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string existing, string newName);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint pread(int fd, byte* buffer, nint count, long offset);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint pwrite(int fd, byte* buffer, nint count, long offset);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint preadv2(int fd, IoVec* iov, int count, long offset, int flags);

    private struct IoVec
    {
        public unsafe byte* Base;
        public nint Length;
    }

    private const int Eintr = 4;
    private const int RwfNowait = 0x08;

    /// <summary>
    /// preadv2(2) with RWF_NOWAIT until the span is full: false, with part of the span filled, as soon as
    /// the rest is not in the page cache (EAGAIN) or the call fails in any other way (a file system without
    /// RWF_NOWAIT answers EOPNOTSUPP); the caller then reads the ordinary way, which reports a real error.
    /// Never throws, so that a refusal costs no exception. Past the end of the file the rest is zeros.
    /// </summary>
    public static unsafe bool TryReadCached(nint fd, long offset, Span<byte> destination)
    {
        fixed (byte* start = destination)
        {
            var done = 0;
            while (done < destination.Length)
            {
                var iov = new IoVec { Base = start + done, Length = destination.Length - done };
                var n = preadv2((int)fd, &iov, 1, offset + done, RwfNowait);
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Eintr) continue;
                    return false;
                }
                if (n == 0)
                {
                    destination[done..].Clear();
                    return true;
                }
                done += (int)n;
            }
            return true;
        }
    }

    /// <summary>pread(2) until the span is full; past the end of the file the rest is zeros.</summary>
    public static unsafe void ReadFully(nint fd, long offset, Span<byte> destination)
    {
        fixed (byte* start = destination)
        {
            var done = 0;
            while (done < destination.Length)
            {
                var n = pread((int)fd, start + done, destination.Length - done, offset + done);
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Eintr) continue;
                    throw LastError("pread");
                }
                if (n == 0)
                {
                    destination[done..].Clear();
                    return;
                }
                done += (int)n;
            }
        }
    }

    /// <summary>pwrite(2) until the whole span is written.</summary>
    public static unsafe void WriteFully(nint fd, long offset, ReadOnlySpan<byte> source)
    {
        fixed (byte* start = source)
        {
            var done = 0;
            while (done < source.Length)
            {
                var n = pwrite((int)fd, start + done, source.Length - done, offset + done);
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Eintr) continue;
                    throw LastError("pwrite");
                }
                done += (int)n;
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    private const int FGetfl = 3, FSetfl = 4, ONoatime = 0x40000;

    /// <summary>
    /// O_NOATIME on an open file, where the kernel allows it (the owner's own files): a read after a write
    /// would otherwise update the access time, which is a journal transaction on ext4 that a read from the
    /// page cache (even with RWF_NOWAIT) may wait for, and CPU per read besides. Refused: left as it is.
    /// </summary>
    public static void TrySetNoAtime(nint fd)
    {
        var flags = fcntl((int)fd, FGetfl, 0);
        if (flags >= 0) fcntl((int)fd, FSetfl, flags | ONoatime);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sync_file_range(int fd, long offset, long length, uint flags);

    [LibraryImport("libc")]
    private static partial int posix_fadvise(int fd, long offset, long length, int advice);

    private const uint SyncWaitBefore = 1, SyncWrite = 2, SyncWaitAfter = 4;
    private const int FadviseDontNeed = 4;

    /// <summary>See <see cref="IFileHandle.StreamBehind"/>. The drop is advice: pages the kernel keeps cost only memory.</summary>
    public static void StreamBehind(nint fd, long writtenOffset, long writtenLength, long keepFrom)
    {
        if (sync_file_range((int)fd, writtenOffset, writtenLength, SyncWrite) != 0) throw LastError("sync_file_range(WRITE)");
        if (keepFrom <= 0) return;
        if (sync_file_range((int)fd, 0, keepFrom, SyncWaitBefore | SyncWrite | SyncWaitAfter) != 0) throw LastError("sync_file_range(WAIT)");
        posix_fadvise((int)fd, 0, keepFrom, FadviseDontNeed);
    }

    public static void Forget(nint fd, long offset, long length) => posix_fadvise((int)fd, offset, length, FadviseDontNeed);

    public static void PunchHole(nint fd, long offset, long length)
    {
        if (fallocate(fd, FallocPunchHole | FallocKeepSize, offset, length) != 0) throw LastError("fallocate(PUNCH_HOLE)");
    }

    /// <summary>fallocate(KEEP_SIZE): unwritten extents that reserve the space and still read as holes.</summary>
    public static void Allocate(nint fd, long offset, long length)
    {
        if (fallocate(fd, FallocKeepSize, offset, length) != 0) throw LastError("fallocate");
    }

    /// <summary>statfs(2)'s f_type (the file system's magic number, its first field on 64-bit Linux); null when it cannot be read.</summary>
    public static unsafe long? FileSystemMagic(string path)
    {
        var buffer = stackalloc byte[256];
        return statfs(path, buffer) == 0 ? *(long*)buffer : null;
    }

    public static void Exchange(string a, string b)
    {
        if (renameat2(AtFdcwd, a, AtFdcwd, b, RenameExchange) != 0) throw LastError($"renameat2(RENAME_EXCHANGE) {a} <-> {b}");
    }

    public static void Link(string existing, string newName)
    {
        if (link(existing, newName) != 0) throw LastError($"link {existing} -> {newName}");
    }

    public static void Fsync(nint fd, bool dataOnly)
    {
        if ((dataOnly ? fdatasync((int)fd) : fsync((int)fd)) != 0) throw LastError(dataOnly ? "fdatasync" : "fsync");
    }

    public static void FsyncDirectory(string directory)
    {
        var fd = open(directory, ORdonly | ODirectory | OCloexec);
        if (fd < 0) throw LastError($"open {directory}");
        try
        {
            if (fsync(fd) != 0) throw LastError($"fsync {directory}");
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>
    /// FS_IOC_FIEMAP over [offset, offset+length), after writing back the file's dirty pages
    /// (FIEMAP_FLAG_SYNC), so that no extent is still delayed or mid-conversion. Written extents are
    /// data; unwritten ones are not (see <see cref="IFileHandle.GetDataExtents"/>).
    /// </summary>
    public static unsafe void DataExtents(nint fd, long offset, long length, List<BlockExtent> into)
    {
        var buffer = stackalloc byte[FiemapHeaderSize + FiemapExtentSize * ExtentsPerCall];
        var end = offset + length;
        var start = offset;
        while (start < end)
        {
            new Span<byte>(buffer, FiemapHeaderSize).Clear();
            *(ulong*)buffer = (ulong)start;
            *(ulong*)(buffer + 8) = (ulong)(end - start);
            *(uint*)(buffer + 16) = FiemapFlagSync;
            *(uint*)(buffer + 24) = ExtentsPerCall;
            if (ioctl(fd, FsIocFiemap, (nint)buffer) != 0) throw LastError("ioctl(FS_IOC_FIEMAP)");
            var mapped = *(uint*)(buffer + 20);
            if (mapped == 0) return;
            var last = false;
            for (var i = 0; i < mapped; i++)
            {
                var e = buffer + FiemapHeaderSize + i * FiemapExtentSize;
                var logical = (long)*(ulong*)e;
                var len = (long)*(ulong*)(e + 16);
                var flags = *(uint*)(e + 40);
                var from = Math.Max(logical, offset);
                var to = Math.Min(logical + len, end);
                if (to > from && (flags & FiemapExtentUnwritten) == 0)
                {
                    var first = BlockSize.BlockOf(from);
                    BlockExtent.AppendMerged(into, new BlockExtent(first, BlockSize.BlocksIn(to) - first));
                }
                start = logical + len;
                last |= (flags & FiemapExtentLast) != 0;
            }
            if (last) return;
        }
    }

    public static IOException LastError(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
    }
}
