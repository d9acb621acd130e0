using System.Diagnostics;

namespace ActorStore.Blocks.Tests;

/// <summary>A small real ext4 file system on a loop device (needs root, as the test setup has), to run a disk full for real.</summary>
public sealed class LoopMount : IDisposable
{
    private readonly TempDirectory _temp = new();

    public LoopMount(int megabytes)
    {
        var image = _temp.Sub("disk.img");
        Path = _temp.Sub("mnt");
        Directory.CreateDirectory(Path);
        using (var f = File.Create(image)) f.SetLength((long)megabytes << 20);
        Run("mkfs.ext4", "-q", "-F", image);
        Run("mount", "-o", "loop", image, Path);
    }

    public string Path { get; }

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
