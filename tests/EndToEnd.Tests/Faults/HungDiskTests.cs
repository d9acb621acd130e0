using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Faults;

/// <summary>
/// A disk that stops answering (its file system frozen with fsfreeze, as a dying SSD or a stuck controller
/// would hold it) must not hang the volume. Found by trying it: with a replica on the engine's own node frozen,
/// every write waited as long as the freeze lasted. Now the local replica has the same deadline as a remote
/// one: past it the replica is ERR and the volume goes on with the other; when every replica hung, a salvage
/// after the thaw serves the last flushed data again.
/// </summary>
public sealed class HungDiskTests(ITestOutputHelper output) : NodeTest(output)
{
    private const long MiB = TestData.MiB;

    [Fact]
    public async Task A_frozen_disk_fails_its_replica_after_the_deadline_and_the_volume_goes_on_with_the_other()
    {
        var bed = Own(await LoopDiskNode.StartAsync("hung-one", o => StartNodeAsync(o)));
        var name = TestData.VolumeName("hung-one");
        var volume = await bed.Node.Api.CreateAttachedAsync(name, 64 * MiB, 2);
        Assert.Equal(["loop-a", "loop-b"], volume.Replicas.Select(r => r.Disk).Order());
        var uri = bed.Node.NbdUri(name);
        await QemuIo.RunAsync(uri, "write -P 0x11 0 4M", "flush");

        var frozen = volume.Replicas.Single(r => r.Disk == "loop-a");
        bed.A.Freeze();
        try
        {
            // 1 MiB writes run on the connection's read loop: the loop the hung disk holds is taken over.
            await QemuIo.RunAsync(uri, "write -P 0x22 4M 4M", "flush", "read -P 0x22 4M 4M", "read -P 0x11 0 4M", "write -P 0x23 8M 64k", "flush");
            var after = await bed.Node.Api.GetVolumeAsync(name);
            Assert.Equal(VolumeStates.Degraded, after.Robustness);
            var failed = after.Replicas.Single(r => r.Id == frozen.Id);
            Assert.Equal(ReplicaModes.Error, failed.Mode);
            Assert.Contains("TimedOut", failed.Failure);
            Assert.Equal(ReplicaModes.ReadWrite, after.Replicas.Single(r => r.Id != frozen.Id).Mode);
        }
        finally
        {
            bed.A.Thaw();
        }
        await QemuIo.RunAsync(uri, "read -P 0x22 4M 4M", "read -P 0x23 8M 64k", "write -P 0x33 16M 1M", "flush", "read -P 0x33 16M 1M");
    }

    [Fact]
    public async Task With_both_disks_frozen_the_volume_faults_and_a_salvage_after_the_thaw_serves_the_last_flushed_data()
    {
        var bed = Own(await LoopDiskNode.StartAsync("hung-both", o => StartNodeAsync(o)));
        var name = TestData.VolumeName("hung-both");
        var volume = await bed.Node.Api.CreateAttachedAsync(name, 64 * MiB, 2);
        var uri = bed.Node.NbdUri(name);
        await NbdData.WriteAndFlushAsync(uri, 0, 8 * MiB, seed: 71);

        bed.A.Freeze();
        bed.B.Freeze();
        try
        {
            var write = await Tool.RunAsync("qemu-io", ["-f", "raw", uri, "-c", "write -P 0x55 8M 1M", "-c", "flush"], timeout: TimeSpan.FromMinutes(2));
            Assert.Contains("Input/output error", write.StdOut + write.StdErr);
            var faulted = await bed.Node.Api.GetVolumeAsync(name);
            Assert.Equal(VolumeStates.Faulted, faulted.Robustness);
            Assert.All(faulted.Replicas, r => Assert.Equal(ReplicaModes.Error, r.Mode));
        }
        finally
        {
            bed.A.Thaw();
            bed.B.Thaw();
        }

        var salvage = await bed.Node.Api.SendAsync(HttpMethod.Post, $"/volumes/{name}/salvage");
        Assert.True(salvage.Status == System.Net.HttpStatusCode.OK, salvage.ToString());
        var salvaged = await bed.Node.Api.GetVolumeAsync(name);
        Out.WriteLine($"salvage: {salvaged.LastSalvage}");
        Assert.Equal(VolumeStates.Healthy, salvaged.Robustness);
        Assert.NotNull(salvaged.LastSalvage);
        Assert.Single(salvaged.LastSalvage!.Reconciled);
        Assert.Contains("highest revision", salvaged.LastSalvage.Reason);

        // The same NBD export serves again: the last flushed data, and a block the failed write may or may not have reached reads the same every time.
        await NbdData.VerifyAsync(uri, 0, 8 * MiB, seed: 71);
        await QemuIo.RunAsync(uri, "write -P 0x66 16M 1M", "flush", "read -P 0x66 16M 1M");
        Assert.Equal(0, await bed.Node.StopAsync());
        ReplicaComparison.AssertIdentical(volume.Replicas.Select(r => r.Id).ToArray(), bed.A.Path, bed.B.Path);
    }
}
