using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ActorStore.Backup.Targets;

/// <summary>
/// Whole-object writes of a directory target's files that bypass the page cache (O_DIRECT) where the buffer allows it:
/// on these VMs the kernel's copy into fresh page-cache pages cost a backup of incompressible data more CPU than the rest
/// of it. The page-aligned part goes direct, a last partial page through the cache; a file system that refuses O_DIRECT
/// (tmpfs before Linux 6.6, some FUSE mounts) gets plain writes.
/// </summary>
internal static partial class DirectFile
{
    private const int FGetfl = 3, FSetfl = 4, ODirect = 0x4000;
    private const uint SyncFileRangeWrite = 2;

    /// <summary>Writes <paramref name="data"/> at the start of the file, and starts its writeback (no wait) when <paramref name="writeBehind"/>.</summary>
    public static async Task WriteAsync(SafeFileHandle handle, ReadOnlyMemory<byte> data, bool writeBehind, CancellationToken cancel)
    {
        var direct = Aligned(data) ? data.Length & ~(PooledBytes.Alignment - 1) : 0;
        if (direct > 0 && SetDirect(handle, true))
        {
            try
            {
                await RandomAccess.WriteAsync(handle, data[..direct], 0, cancel).ConfigureAwait(false);
            }
            catch (IOException)
            {
                direct = 0; // the file system took the flag but not the write: all of it through the cache (a real error shows there)
            }
            finally
            {
                SetDirect(handle, false);
            }
        }
        else
        {
            direct = 0;
        }
        if (direct < data.Length) await RandomAccess.WriteAsync(handle, data[direct..], direct, cancel).ConfigureAwait(false);
        // Advice only: a writeback error shows at the sync, which waits for it.
        if (writeBehind) _ = sync_file_range((int)handle.DangerousGetHandle(), 0, data.Length, SyncFileRangeWrite);
    }

    private static unsafe bool Aligned(ReadOnlyMemory<byte> data)
    {
        using var pin = data.Pin();
        return (nint)pin.Pointer % PooledBytes.Alignment == 0;
    }

    private static bool SetDirect(SafeFileHandle handle, bool on)
    {
        var fd = (int)handle.DangerousGetHandle();
        var flags = fcntl(fd, FGetfl, 0);
        return flags >= 0 && fcntl(fd, FSetfl, on ? flags | ODirect : flags & ~ODirect) == 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sync_file_range(int fd, long offset, long length, uint flags);
}
