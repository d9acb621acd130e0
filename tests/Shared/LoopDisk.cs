using System.Diagnostics;

namespace ActorStore.Tests.Shared;

/// <summary>
/// A small real ext4 file system on a loop device, for what only a real disk shows: running out of space
/// (<see cref="FillUp"/>), and hanging — <see cref="Freeze"/> (<c>fsfreeze -f</c>) makes every write to it wait,
/// as a disk that stopped answering would, until <see cref="Thaw"/>. Needs root and loop devices, as the test
/// setup has. Its image lives under the repository's ignored <c>data/test-tmp</c>. Dispose always thaws first
/// (a frozen mount holds every thread that writes to it) and then unmounts. Linked into every test project that
/// needs it (tests/Shared).
/// </summary>
public sealed class LoopDisk : IDisposable
{
    private readonly string _root;
    private bool _frozen;
    private bool _mounted;

    /// <param name="blockSize">The file system's block size; mkfs would pick 1024 for images this small unless told.</param>
    public LoopDisk(int megabytes, int blockSize = 4096)
    {
        _root = System.IO.Path.Combine(RepoPaths.Root, "data", "test-tmp", "loop-" + Guid.NewGuid().ToString("N")[..12]);
        Path = System.IO.Path.Combine(_root, "mnt");
        Directory.CreateDirectory(Path);
        var image = System.IO.Path.Combine(_root, "disk.img");
        using (var f = File.Create(image)) f.SetLength((long)megabytes << 20);
        Run("mkfs.ext4", "-q", "-F", "-b", blockSize.ToString(), image);
        Run("mount", "-o", "loop", image, Path);
        _mounted = true;
    }

    /// <summary>The mount point.</summary>
    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Takes every free block of the file system (root may use the reserved ones too) with a file of its own; returns its path.</summary>
    public string FillUp()
    {
        var filler = Sub("filler");
        using var f = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        var chunk = new byte[64 * 1024];
        chunk.AsSpan().Fill(0x5a);
        for (var size = chunk.Length; size >= 512;)
        {
            try
            {
                f.Write(chunk, 0, size);
            }
            catch (IOException)
            {
                size /= 2; // ENOSPC: the last free blocks, a smaller piece at a time
            }
        }
        try
        {
            f.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // What could not be written back frees its reservation; the disk stays full all the same.
        }
        return filler;
    }

    public void Freeze()
    {
        Run("fsfreeze", "-f", Path);
        _frozen = true;
    }

    public void Thaw()
    {
        if (!_frozen) return;
        Run("fsfreeze", "-u", Path);
        _frozen = false;
    }

    public void Dispose()
    {
        Thaw();
        if (_mounted) Run("umount", Path);
        _mounted = false;
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover under data/test-tmp is ignored by git and must not hide the test's result.
        }
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {err}. The tests need root and loop devices.");
    }
}
