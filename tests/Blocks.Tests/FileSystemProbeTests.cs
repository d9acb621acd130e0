using System.Diagnostics;
using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Blocks.Tests;

public sealed class FileSystemProbeTests
{
    [Fact]
    public void Ext4_and_the_simulated_file_system_can_hold_replicas()
    {
        using var temp = new TempDirectory();
        Assert.Null(FileSystemProbe.Problem(LinuxFileSystem.Instance, temp.Path));
        Assert.Empty(Directory.GetFiles(temp.Path, "*", new EnumerationOptions { AttributesToSkip = 0 }));
        var sim = new SimulatedFileSystem();
        sim.CreateDirectory("/sim");
        Assert.Null(FileSystemProbe.Problem(sim, "/sim"));
    }

    [Fact]
    public void Tmpfs_is_refused_with_a_reason_and_no_replica_is_created()
    {
        using var temp = new TempDirectory();
        Run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", temp.Path);
        try
        {
            var problem = FileSystemProbe.Problem(LinuxFileSystem.Instance, temp.Path);
            Assert.NotNull(problem);
            Assert.Contains("ext4", problem);
            Assert.Equal(ReplicaStatus.UnsupportedFileSystem,
                Replica.Create(LinuxFileSystem.Instance, Path.Combine(temp.Path, "r"), new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 1 << 20, out _));
            Assert.Empty(Directory.GetFiles(Path.Combine(temp.Path, "r")));
        }
        finally
        {
            Run("umount", temp.Path);
        }
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {err}");
    }
}
