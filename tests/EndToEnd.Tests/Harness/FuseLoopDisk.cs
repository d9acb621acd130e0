using ActorStore.Tests.Shared;
namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// An export as a Linux block device without the nbd kernel module (absent here, ENVIRONMENT.md):
/// <c>nbdfuse DIR URI</c> exposes it as the file DIR/nbd, and <c>losetup</c> turns that into /dev/loopN.
/// Dispose unmounts whatever is still mounted, detaches the loop device and unmounts the FUSE directory,
/// in that order, whatever state the test left them in.
/// </summary>
public sealed class FuseLoopDisk : IAsyncDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);
    private readonly RunningTool _fuse;
    private readonly string _fuseDir;
    private readonly List<string> _mounts = [];

    private FuseLoopDisk(RunningTool fuse, string fuseDir)
    {
        _fuse = fuse;
        _fuseDir = fuseDir;
    }

    public string? LoopDevice { get; private set; }

    public static async Task<FuseLoopDisk> AttachAsync(string uri, string workDir)
    {
        var fuseDir = Path.Combine(workDir, "fuse");
        Directory.CreateDirectory(fuseDir);
        // nbdfuse stays in the foreground (no -P), so the PID we hold is the one to kill.
        var disk = new FuseLoopDisk(Tool.Start("nbdfuse", [fuseDir, uri]), fuseDir);
        try
        {
            var file = Path.Combine(fuseDir, "nbd");
            await Eventually.WaitUntilAsync(() => disk._fuse.HasExited || File.Exists(file), Step, $"nbdfuse to expose {file}");
            if (disk._fuse.HasExited) throw new InvalidOperationException($"nbdfuse exited: {disk._fuse.StdErr}");
            var loop = (await Tool.RunAsync("losetup", ["-f", "--show", file], timeout: Step)).EnsureSuccess();
            disk.LoopDevice = loop.StdOut.Trim();
        }
        catch
        {
            await disk.DisposeAsync();
            throw;
        }
        return disk;
    }

    public async Task MountAsync(string mountPoint)
    {
        Directory.CreateDirectory(mountPoint);
        (await Tool.RunAsync("mount", [LoopDevice!, mountPoint], timeout: Step)).EnsureSuccess();
        _mounts.Add(mountPoint);
    }

    public async Task UnmountAsync(string mountPoint)
    {
        (await Tool.RunAsync("umount", [mountPoint], timeout: Step)).EnsureSuccess();
        _mounts.Remove(mountPoint);
    }

    public async ValueTask DisposeAsync()
    {
        // Best effort in reverse order; each step is bounded, and a failure here must not hide the test's own.
        foreach (var mount in _mounts.ToArray()) await Quietly("umount", mount);
        if (LoopDevice is not null) await Quietly("losetup", "-d", LoopDevice);
        await Quietly("fusermount3", "-u", _fuseDir);
        await _fuse.DisposeAsync();
    }

    private static async Task Quietly(string tool, params string[] args)
    {
        try
        {
            await Tool.RunAsync(tool, args, timeout: Step);
        }
        catch (Exception ex) when (ex is TimeoutException or ToolMissingException)
        {
            // Cleanup is best effort; the process was killed by the timeout.
        }
    }
}
