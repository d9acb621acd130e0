using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using ActorStore.Blocks.Devices;

namespace ActorStore.Backup.Targets;

/// <summary>
/// A backup target in a directory (a local disk or an NFS mount). Each put writes a hidden temporary file beside
/// the object, fsyncs it and renames it over the key, so a crash leaves the old object or the new one; the folders
/// a put touched are fsynced by <see cref="SyncAsync"/>, before a record that names the new objects is put. A staged
/// object (a block) is written without its own fsync: the sync flushes the file system once for all of them, and only
/// then names them, so an object under its name is always whole (an fsync per 2 MiB block cost a backup most of its rate).
/// </summary>
public sealed partial class DirectoryTarget : IBackupTarget
{
    private readonly string _root;
    private readonly ConcurrentDictionary<string, byte> _unsynced = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _staged = new(StringComparer.Ordinal); // hidden file → its key's path

    public DirectoryTarget(string root)
    {
        _root = Path.GetFullPath(root);
        try
        {
            Directory.CreateDirectory(_root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupTargetException($"cannot use the backup directory {_root}: {e.Message}; check that it exists (or its parent does) and is writable by the node", e);
        }
    }

    public string Describe => $"dir://{_root}";

    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancel = default)
    {
        var path = PathOf(key);
        var folder = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        await Guard(key, async () =>
        {
            Directory.CreateDirectory(folder);
            try
            {
                using (var handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write))
                {
                    await DirectFile.WriteAsync(handle, data, writeBehind: false, cancel).ConfigureAwait(false);
                    RandomAccess.FlushToDisk(handle);
                }
                File.Move(temporary, path, overwrite: true);
            }
            finally
            {
                File.Delete(temporary); // gone already after the rename
            }
            _unsynced.TryAdd(folder, 0);
        }).ConfigureAwait(false);
    }

    public async Task StageAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancel = default)
    {
        var path = PathOf(key);
        var folder = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        await Guard(key, async () =>
        {
            Directory.CreateDirectory(folder);
            using var handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write);
            await DirectFile.WriteAsync(handle, data, writeBehind: true, cancel).ConfigureAwait(false);
        }).ConfigureAwait(false);
        _staged[temporary] = path;
    }

    public async Task<PooledBytes?> GetAsync(string key, CancellationToken cancel = default)
    {
        var path = PathOf(key);
        return await Guard(key, async () =>
        {
            Microsoft.Win32.SafeHandles.SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
            using (handle)
            {
                var length = RandomAccess.GetLength(handle);
                if (length > int.MaxValue) throw new IOException($"{path} is {length} bytes, larger than any object this store writes");
                var bytes = new PooledBytes((int)length);
                try
                {
                    var read = 0;
                    while (read < bytes.Length)
                    {
                        var n = await RandomAccess.ReadAsync(handle, bytes.Memory[read..], read, cancel).ConfigureAwait(false);
                        if (n == 0) break;
                        read += n;
                    }
                    bytes.Shorten(read);
                    return bytes;
                }
                catch
                {
                    bytes.Dispose();
                    throw;
                }
            }
        }).ConfigureAwait(false);
    }

    public Task<TargetObject?> StatAsync(string key, CancellationToken cancel = default) => Guard(key, () =>
    {
        var info = new FileInfo(PathOf(key));
        return Task.FromResult(info.Exists ? new TargetObject(key, info.Length, info.LastWriteTimeUtc) : null);
    });

    public Task<IReadOnlyList<TargetObject>> ListAsync(string prefix, CancellationToken cancel = default) => Guard(prefix, () =>
    {
        var slash = prefix.LastIndexOf('/');
        var folder = slash < 0 ? _root : Path.Combine(_root, prefix[..slash]);
        var found = new List<TargetObject>();
        if (Directory.Exists(folder))
        {
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                if (file.Name.StartsWith('.')) continue; // a put in progress, or one a crash interrupted
                var key = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (key.StartsWith(prefix, StringComparison.Ordinal)) found.Add(new TargetObject(key, file.Length, file.LastWriteTimeUtc));
            }
        }
        return Task.FromResult<IReadOnlyList<TargetObject>>(found);
    });

    public Task DeleteAsync(string key, CancellationToken cancel = default) => Guard(key, () =>
    {
        var path = PathOf(key);
        File.Delete(path);
        _unsynced.TryAdd(Path.GetDirectoryName(path)!, 0);
        return Task.CompletedTask;
    });

    public Task SyncAsync(CancellationToken cancel = default) => Guard("", () =>
    {
        var staged = _staged.ToArray();
        if (staged.Length > 0)
        {
            SyncFileSystem(); // the staged bytes are on disk before any of them gets its name
            foreach (var (temporary, path) in staged)
            {
                File.Move(temporary, path, overwrite: true);
                _staged.TryRemove(temporary, out _);
                _unsynced.TryAdd(Path.GetDirectoryName(path)!, 0);
            }
            SyncFileSystem(); // and the names, before a record that refers to them
        }
        foreach (var folder in _unsynced.Keys)
        {
            _unsynced.TryRemove(folder, out _);
            // New folders are entries of their parents: those reach the disk as well (up to the root).
            for (var f = folder; f.Length >= _root.Length; f = Path.GetDirectoryName(f)!)
            {
                LinuxFileSystem.Instance.FsyncDirectory(f);
                if (f.Length == _root.Length) break;
            }
        }
        return Task.CompletedTask;
    });

    public Task<(int Objects, long Bytes)> SweepAsync(DateTimeOffset before, CancellationToken cancel = default) => Guard("", () =>
    {
        var (objects, bytes) = (0, 0L);
        var everywhere = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var file in new DirectoryInfo(_root).EnumerateFiles(".*.tmp", everywhere))
        {
            cancel.ThrowIfCancellationRequested();
            if (file.LastWriteTimeUtc >= before.UtcDateTime || _staged.ContainsKey(file.FullName)) continue;
            var length = file.Length;
            file.Delete();
            (objects, bytes) = (objects + 1, bytes + length);
            _unsynced.TryAdd(file.DirectoryName!, 0);
        }
        return Task.FromResult((objects, bytes));
    });

    /// <summary>Drops what was staged and never synced (a backup that failed): nothing names it.</summary>
    public void Dispose()
    {
        foreach (var temporary in _staged.Keys)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
                // Left hidden: no listing shows it, and no record names it.
            }
        }
        _staged.Clear();
    }

    private string PathOf(string key)
    {
        if (key.Length == 0 || key.StartsWith('/') || key.Split('/').Any(p => p is "" or "." or ".." || p.StartsWith('.')))
            throw new ArgumentException($"'{key}' is not a backup object key", nameof(key));
        return Path.Combine(_root, key);
    }

    private async Task<T> Guard<T>(string key, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e.HResult == 28 ? "the target's file system is full; delete old backups or give it room" : e.Message;
            throw new BackupTargetException($"backup target {Describe}, object '{key}': {why}", e);
        }
    }

    private Task Guard(string key, Func<Task> action) => Guard(key, async () =>
    {
        await action().ConfigureAwait(false);
        return true;
    });

    /// <summary>syncfs(2) of the target's file system: every write to it so far reaches the disk in one call.</summary>
    private void SyncFileSystem()
    {
        var fd = open(_root, 0x10000 /* O_RDONLY | O_DIRECTORY */);
        if (fd < 0) throw new IOException($"cannot open {_root} to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (syncfs(fd) != 0) throw new IOException($"syncing the file system of {_root} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = close(fd);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int syncfs(int fd);
}
