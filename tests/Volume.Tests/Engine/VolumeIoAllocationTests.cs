using ActorStore.Blocks;
using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;
using ActorStore.Volume.Replicas;
using ActorStore.Volume.Tests.Replicas;
using Xunit;
using BlockReplica = ActorStore.Blocks.Replica;

namespace ActorStore.Volume.Tests.Engine;

/// <summary>
/// The engine's hot path allocates nothing per request: VolumeIo over two real replicas reached
/// in-process, 4 KiB writes (fanned out to both) and reads, measured on the whole process (writes
/// complete on pool threads), so it runs alone.
/// </summary>
[Collection(Measured.Name)]
public sealed class VolumeIoAllocationTests
{
    [Fact]
    public async Task Writes_and_reads_through_the_engine_allocate_nothing_per_request()
    {
        using var dir = new TempDirectory();
        var replicas = new List<BlockReplica>();
        try
        {
            var members = new List<ReplicaSetView.Member>();
            foreach (var name in new[] { "r1", "r2" })
            {
                Assert.Equal(ReplicaStatus.Ok, BlockReplica.Create(LinuxFileSystem.Instance, dir.Sub(name), new ReplicaIdentity(Guid.NewGuid(), name, 1), 64 << 20, out var replica));
                replicas.Add(replica!);
                var (status, channel) = LocalReplicaChannel.Open(replica!, 1);
                Assert.Equal(ReplicaStatus.Ok, status);
                members.Add(new ReplicaSetView.Member(name, ReplicaMode.ReadWrite, channel!));
            }
            var io = new VolumeIo("v", 64 << 20, new ReplicaSetView(members), new FakeFailureSink());
            var buffer = new byte[4096];
            new Random(7).NextBytes(buffer);

            // No assertion inside the loop: xunit's comparers allocate.
            async Task RoundsAsync(int rounds)
            {
                var failed = 0;
                for (var i = 0; i < rounds; i++)
                {
                    var offset = (long)(i % 4096) << 12;
                    if (await io.WriteAsync(offset, buffer, fua: false) != IoStatus.Ok) failed++;
                    if (await io.ReadAsync(offset, buffer) != IoStatus.Ok) failed++;
                }
                Assert.Equal(0, failed);
            }

            await RoundsAsync(5000); // warm up: first allocations of every block, pools, JIT
            const int rounds = 20_000;
            var before = GC.GetTotalAllocatedBytes(precise: true);
            await RoundsAsync(rounds);
            var perRequest = (GC.GetTotalAllocatedBytes(precise: true) - before) / (2.0 * rounds);
            // Under 8: the rest of the process (timers, the runtime's own work) allocates a little meanwhile.
            Assert.True(perRequest < 8, $"{perRequest:0.0} bytes allocated per request");
        }
        finally
        {
            foreach (var r in replicas) r.Dispose();
        }
    }
}
