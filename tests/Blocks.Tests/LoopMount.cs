using System.Diagnostics;

namespace ActorStore.Blocks.Tests;

/// <summary>A small real ext4 file system on a loop device (needs root, as the test setup has), to run a disk full for real.</summary>
public sealed class LoopMount : IDisposable
{
    private readonly TempDirectory _temp = new();

    /// <param name="blockSize">The file system's block size; mkfs picks 1024 for images this small unless told.</param>
    public LoopMount(int megabytes, int blockSize = 4096)
    {
        var image = _temp.Sub("disk.img");
        Path = _temp.Sub("mnt");
        Directory.CreateDirectory(Path);
        using (var f = File.Create(image)) f.SetLength((long)megabytes << 20);
        Run("mkfs.ext4", "-q", "-F", "-b", blockSize.ToString(), image);
        Run("mount", "-o", "loop", image, Path);
    }

    public string Path { get; }

    /// <summary>Takes every free block of the file system (root may use the reserved ones too) with a file of its own; returns its path.</summary>
    public string FillUp()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
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

    public void Dispose()
    {
        Run("umount", Path);
        _temp.Dispose();
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {err}. The tests need root and loop devices.");
    }
}
