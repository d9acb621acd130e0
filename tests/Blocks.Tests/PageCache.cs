using System.Runtime.InteropServices;

namespace ActorStore.Blocks.Tests;

/// <summary>Evicts clean pages so that what a test reads next comes from the file system's extent map, not the cache.</summary>
public static class PageCache
{
    public static void Drop()
    {
        Sync();
        File.WriteAllText("/proc/sys/vm/drop_caches", "1");
    }

    /// <summary>
    /// Evicts one file's pages (written back first), leaving the rest of the cache alone, and checks that
    /// none is left: the kernel may skip a page it cannot drop at that moment, so it tries a few times.
    /// </summary>
    public static void Evict(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        var fd = (int)handle.DangerousGetHandle();
        long resident = 0;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if (fdatasync(fd) != 0 || posix_fadvise(fd, 0, 0, PosixFadvDontneed) != 0)
                throw new IOException($"could not evict {path}: errno {Marshal.GetLastPInvokeError()}");
            resident = ResidentPages(fd, RandomAccess.GetLength(handle));
            if (resident == 0) return;
        }
        throw new IOException($"could not evict {path}: {resident} pages still in the page cache after 10 tries");
    }

    // mincore(2) over a read-only mapping of the file: how many of its pages the page cache holds.
    private static unsafe long ResidentPages(int fd, long length)
    {
        if (length == 0) return 0;
        var map = mmap(0, (nint)length, ProtRead, MapShared, fd, 0);
        if (map == -1) throw new IOException($"mmap failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            var pages = (length + Environment.SystemPageSize - 1) / Environment.SystemPageSize;
            var vector = new byte[pages];
            fixed (byte* v = vector)
            {
                if (mincore(map, (nint)length, v) != 0) throw new IOException($"mincore failed: errno {Marshal.GetLastPInvokeError()}");
            }
            return vector.Count(b => (b & 1) != 0);
        }
        finally
        {
            munmap(map, (nint)length);
        }
    }

    private const int PosixFadvDontneed = 4, ProtRead = 1, MapShared = 1;

    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int posix_fadvise(int fd, long offset, long length, int advice);

    [DllImport("libc", SetLastError = true)]
    private static extern nint mmap(nint address, nint length, int protection, int flags, int fd, long offset);

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe int mincore(nint address, nint length, byte* vector);

    [DllImport("libc", SetLastError = true)]
    private static extern int munmap(nint address, nint length);

    private static void Sync()
    {
        using var p = System.Diagnostics.Process.Start("sync")!;
        p.WaitForExit();
    }
}
