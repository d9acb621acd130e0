using System.Diagnostics;
using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>Layer files hold only what was written (measured with du), and purge gives back overwritten space.</summary>
public sealed class SparsenessTests : IDisposable
{
    private const long Mib = 1 << 20;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static long DiskUsage(string dir)
    {
        using var p = Process.Start(new ProcessStartInfo("du", ["-s", "-B1", dir]) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return long.Parse(text.Split('\t')[0]);
    }

    [Fact]
    public void Ten_MiB_written_into_a_10_GiB_replica_allocate_about_10_MiB_and_purge_returns_overwritten_space()
    {
        var dir = _temp.Sub("r");
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(LinuxFileSystem.Instance, dir, new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 10L << 30, out var r));
        using (r)
        {
            var data = new byte[Mib];
            var rng = new Random(3);
            for (var i = 0; i < 10; i++)
            {
                rng.NextBytes(data);
                Assert.Equal(ReplicaStatus.Ok, r!.Write(i * 1000 * Mib, data)); // spread over the volume
            }
            Assert.Equal(ReplicaStatus.Ok, r!.Flush());
            var used = DiskUsage(dir);
            Assert.InRange(used, 10 * Mib, 11 * Mib);

            // Overwrite all of it in a new layer: 20 MiB in use; delete + purge the snapshot: back to 10.
            Assert.Equal(ReplicaStatus.Ok, r.Snapshot("before"));
            for (var i = 0; i < 10; i++)
            {
                rng.NextBytes(data);
                Assert.Equal(ReplicaStatus.Ok, r.Write(i * 1000 * Mib, data));
            }
            Assert.Equal(ReplicaStatus.Ok, r.Flush());
            Assert.InRange(DiskUsage(dir), 20 * Mib, 21 * Mib);
            Assert.Equal(ReplicaStatus.Ok, r.DeleteSnapshot("before"));
            Assert.Equal(ReplicaStatus.Ok, r.Purge());
            Assert.InRange(DiskUsage(dir), 10 * Mib, 11 * Mib);
        }
    }

    [Fact]
    public void Purging_a_middle_snapshot_coalesces_without_duplicating_data()
    {
        var dir = _temp.Sub("r");
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(LinuxFileSystem.Instance, dir, new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 1L << 30, out var r));
        using (r)
        {
            var data = new byte[4 * Mib];
            new Random(4).NextBytes(data);
            Assert.Equal(ReplicaStatus.Ok, r!.Write(0, data));
            Assert.Equal(ReplicaStatus.Ok, r.Snapshot("a"));
            Assert.Equal(ReplicaStatus.Ok, r.Write(0, data.AsSpan(0, (int)Mib)));
            Assert.Equal(ReplicaStatus.Ok, r.Snapshot("b"));
            Assert.Equal(ReplicaStatus.Ok, r.DeleteSnapshot("a"));
            Assert.Equal(ReplicaStatus.Ok, r.Purge());
            Assert.Equal(["b"], r.Snapshots().Select(s => s.Name));
            Assert.InRange(DiskUsage(dir), 4 * Mib, 5 * Mib);
            var back = new byte[4 * Mib];
            Assert.Equal(ReplicaStatus.Ok, r.Read(0, back));
            Assert.Equal(data, back);
        }
    }
}
