using Microsoft.Win32.SafeHandles;

namespace ActorStore.Blocks.Devices;

/// <summary>The real file system: positional I/O through <see cref="RandomAccess"/>, the rest through libc.</summary>
public sealed class LinuxFileSystem : IFileSystem
{
    public static readonly LinuxFileSystem Instance = new();

    public IFileHandle Open(string path, bool create) =>
        new LinuxFileHandle(File.OpenHandle(path, create ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete));

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory) =>
        Directory.EnumerateFiles(directory).Select(p => Path.GetFileName(p)).ToList();

    public void Rename(string from, string to) => File.Move(from, to, overwrite: true);

    public void Link(string existing, string newName) => LinuxNative.Link(existing, newName);

    public void Delete(string path) => File.Delete(path);

    public void FsyncDirectory(string directory) => LinuxNative.FsyncDirectory(directory);

    private sealed class LinuxFileHandle(SafeFileHandle handle) : IFileHandle
    {
        public long Length => RandomAccess.GetLength(handle);

        public void SetLength(long length) => RandomAccess.SetLength(handle, length);

        public void Read(long offset, Span<byte> destination)
        {
            while (!destination.IsEmpty)
            {
                var n = RandomAccess.Read(handle, destination, offset);
                if (n == 0)
                {
                    destination.Clear();
                    return;
                }
                destination = destination[n..];
                offset += n;
            }
        }

        public void Write(long offset, ReadOnlySpan<byte> source) => RandomAccess.Write(handle, source, offset);

        public void PunchHole(long offset, long length) => LinuxNative.PunchHole(handle.DangerousGetHandle(), offset, length);

        public void GetDataExtents(long offset, long length, List<BlockExtent> into) =>
            LinuxNative.DataExtents(handle.DangerousGetHandle(), offset, length, into);

        public void Fsync() => LinuxNative.Fsync(handle.DangerousGetHandle());

        public void Dispose() => handle.Dispose();
    }
}
