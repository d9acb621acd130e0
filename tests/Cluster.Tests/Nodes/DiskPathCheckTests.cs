using System.Diagnostics;
using ActorStore.Cluster.Nodes;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Cluster.Tests.Nodes;

/// <summary>Found by trying it: /proc was accepted as a disk far enough to crash the node agent. Every bad path is refused with a reason.</summary>
public sealed class DiskPathCheckTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("/proc", "proc")]
    [InlineData("/sys/kernel", "sysfs")]
    [InlineData("/dev", "tmpfs")]
    public void Pseudo_file_systems_are_refused_by_name(string path, string kind)
    {
        var problem = DiskPathCheck.Problem(path, create: false, []);
        Assert.NotNull(problem);
        Assert.Contains(kind, problem);
        Assert.Contains("local disk", problem);
    }

    [Fact]
    public void A_missing_directory_is_refused_unless_the_request_asks_to_create_it()
    {
        var path = _temp.Sub("new-disk");
        Assert.Contains("does not exist", DiskPathCheck.Problem(path, create: false, []));
        Assert.False(Directory.Exists(path));
        Assert.Null(DiskPathCheck.Problem(path, create: true, []));
        Assert.True(Directory.Exists(path));
        Assert.Empty(Directory.GetFileSystemEntries(path)); // the probe cleans up after itself
    }

    [Fact]
    public void A_file_and_a_directory_inside_or_around_another_disk_are_refused()
    {
        var file = _temp.Sub("a-file");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file", DiskPathCheck.Problem(file, create: true, []));
        var disk = _temp.Sub("disk-1");
        Directory.CreateDirectory(disk);
        Assert.Contains("inside", DiskPathCheck.Problem(Path.Combine(disk, "replicas"), create: true, [disk]));
        Assert.Contains("holds", DiskPathCheck.Problem(_temp.Path, create: false, [disk]));
        Assert.Null(DiskPathCheck.Problem(_temp.Sub("disk-10"), create: true, [disk])); // a shared prefix is not nesting
    }

    [Fact]
    public void A_tmpfs_mount_is_refused_as_a_memory_file_system()
    {
        var mount = _temp.Sub("tmpfs");
        Directory.CreateDirectory(mount);
        Run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount);
        try
        {
            var problem = DiskPathCheck.Problem(mount, create: false, []);
            Assert.NotNull(problem);
            Assert.Contains("tmpfs", problem);
        }
        finally
        {
            Run("umount", mount);
        }
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {err} (the tests run as root)");
    }
}
