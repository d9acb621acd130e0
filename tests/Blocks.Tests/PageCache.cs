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

    /// <summary>Evicts one file's clean pages (written back first), leaving the rest of the cache alone.</summary>
    public static void Evict(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        var fd = (int)handle.DangerousGetHandle();
        if (fdatasync(fd) != 0 || posix_fadvise(fd, 0, 0, PosixFadvDontneed) != 0)
            throw new IOException($"could not evict {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    private const int PosixFadvDontneed = 4;

    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int posix_fadvise(int fd, long offset, long length, int advice);

    private static void Sync()
    {
        using var p = System.Diagnostics.Process.Start("sync")!;
        p.WaitForExit();
    }
}
