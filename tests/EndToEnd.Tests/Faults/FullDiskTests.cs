using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Faults;

/// <summary>
/// Real full disks under a real node, found by trying it: a 48 MiB volume on a 64 MiB ext4 disk, filled with
/// 0xaa, snapshotted, then written with 0xbb until ENOSPC read back zeros in the failed write's MiB; and killed
/// while the disk was 100% full, the node could not open the replica again, so the volume stayed faulted.
/// </summary>
public sealed class FullDiskTests(ITestOutputHelper output) : NodeTest(output)
{
    private const long MiB = TestData.MiB;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Writes_that_run_out_of_space_leave_every_block_old_or_new(int replicas)
    {
        var bed = Own(await LoopDiskNode.StartAsync($"full-{replicas}", o => StartNodeAsync(o), diskMegabytes: 64));
        var name = TestData.VolumeName("full");
        var uri = await FillThenOverwriteAsync(bed, name, replicas);
        await AssertOldOrNewAsync(uri);
    }

    [Fact]
    public async Task A_node_killed_with_its_disk_full_serves_the_volume_again_and_a_purge_makes_room()
    {
        var bed = Own(await LoopDiskNode.StartAsync("full-kill", o => StartNodeAsync(o), diskMegabytes: 64));
        var name = TestData.VolumeName("full-kill");
        var uri = await FillThenOverwriteAsync(bed, name, 1);
        var replica = (await bed.Node.Api.GetVolumeAsync(name)).Replicas.Single();
        bed.DiskOf(replica).FillUp(); // 100% full: not a block left

        await bed.Node.CrashAndRestartAsync();
        var volume = await Durability.VolumeState.ReattachAsync(bed.Node.Api, name);
        Assert.Equal(VolumeStates.Healthy, volume.Robustness);
        await AssertOldOrNewAsync(uri);
        Assert.Contains(await bed.Node.Api.ListSnapshotsAsync(name), s => s.Name == "s1");
        var full = await Tool.RunAsync("qemu-io", ["-f", "raw", uri, "-c", "write -P 0xcc 40M 1M"]);
        Assert.Contains("No space left on device", full.StdOut + full.StdErr);

        await bed.Node.Api.DeleteSnapshotAsync(name, "s1");
        await bed.Node.Api.PurgeAsync(name); // s1's blocks the head overwrote are punched out: room again
        await QemuIo.RunAsync(uri, "write -P 0xcc 40M 1M", "flush", "read -P 0xcc 40M 1M");
        Assert.Equal(VolumeStates.Healthy, (await bed.Node.Api.GetVolumeAsync(name)).Robustness);
    }

    /// <summary>0xaa everywhere, snapshot s1, then 0xbb a MiB at a time until the disk is full.</summary>
    private async Task<string> FillThenOverwriteAsync(LoopDiskNode bed, string name, int replicas)
    {
        await bed.Node.Api.CreateAttachedAsync(name, 48 * MiB, replicas);
        var uri = bed.Node.NbdUri(name);
        await QemuIo.RunAsync(uri, "write -P 0xaa 0 48M", "flush");
        await bed.Node.Api.SnapshotAsync(name, "s1");
        var overwrite = await NbdSh.RunAsync(uri, """
            for m in range(48):
                try:
                    h.pwrite(b'\xbb' * (1 << 20), m << 20)
                except nbd.Error as e:
                    print("failed at", m, e.errno)
                    break
            h.flush()
            """);
        Out.WriteLine(overwrite.ToString());
        Assert.Contains("failed at", overwrite.EnsureSuccess().StdOut);
        return uri;
    }

    private async Task AssertOldOrNewAsync(string uri)
    {
        var check = (await NbdSh.RunAsync(uri, """
            bad = []
            for m in range(48):
                data = h.pread(1 << 20, m << 20)
                for b in range(256):
                    block = data[b * 4096:(b + 1) * 4096]
                    if block != b'\xaa' * 4096 and block != b'\xbb' * 4096:
                        bad.append((m, b, block[0]))
            print("bad", len(bad), bad[:5])
            """)).EnsureSuccess();
        Assert.Contains("bad 0 []", check.StdOut);
    }
}
