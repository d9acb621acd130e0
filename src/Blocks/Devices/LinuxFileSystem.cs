using Microsoft.Win32.SafeHandles;

namespace ActorStore.Blocks.Devices;

/// <summary>The real file system: positional I/O through <see cref="RandomAccess"/>, the rest through libc.</summary>
public sealed class LinuxFileSystem : IFileSystem
{
    public static readonly LinuxFileSystem Instance = new();

    public IFileHandle Open(string path, bool create)
    {
        var handle = File.OpenHandle(path, create ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        LinuxNative.TrySetNoAtime(handle.DangerousGetHandle());
        return new LinuxFileHandle(handle);
    }

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory) =>
        Directory.EnumerateFiles(directory).Select(p => Path.GetFileName(p)).ToList();

    public void Rename(string from, string to) => File.Move(from, to, overwrite: true);

    public void Exchange(string a, string b) => LinuxNative.Exchange(a, b);

    public void Link(string existing, string newName) => LinuxNative.Link(existing, newName);

    public void Delete(string path) => File.Delete(path);

    public void FsyncDirectory(string directory) => LinuxNative.FsyncDirectory(directory);

    /// <summary>
    /// Positional I/O goes straight to pread/pwrite on the descriptor: the replica's I/O gate already
    /// guarantees no handle is closed while I/O runs on it, so SafeHandle's per-call reference counting
    /// (two contended interlocked operations per call) is not needed on the hot path.
    /// </summary>
    private sealed class LinuxFileHandle(SafeFileHandle handle) : IFileHandle
    {
        private readonly nint _fd = handle.DangerousGetHandle();

        private nint Descriptor
        {
            get
            {
                ObjectDisposedException.ThrowIf(handle.IsClosed, this);
                return _fd;
            }
        }

        public long Length => RandomAccess.GetLength(handle);

        public void SetLength(long length) => RandomAccess.SetLength(handle, length);

        public void Read(long offset, Span<byte> destination) => LinuxNative.ReadFully(Descriptor, offset, destination);

        public bool TryReadCached(long offset, Span<byte> destination) => LinuxNative.TryReadCached(Descriptor, offset, destination);

        public void Write(long offset, ReadOnlySpan<byte> source) => LinuxNative.WriteFully(Descriptor, offset, source);

        public void Allocate(long offset, long length) => LinuxNative.Allocate(Descriptor, offset, length);

        public void PunchHole(long offset, long length) => LinuxNative.PunchHole(Descriptor, offset, length);

        public void GetDataExtents(long offset, long length, List<BlockExtent> into) => LinuxNative.DataExtents(Descriptor, offset, length, into);

        public void Fsync(bool dataOnly = false) => LinuxNative.Fsync(Descriptor, dataOnly);

        public void Forget(long offset, long length) => LinuxNative.Forget(Descriptor, offset, length);

        public void StreamBehind(long writtenOffset, long writtenLength, long keepFrom) => LinuxNative.StreamBehind(Descriptor, writtenOffset, writtenLength, keepFrom);

        public void Dispose() => handle.Dispose();
    }
}
