using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>
/// <see cref="Replica.WriteBehind"/>, for a writer moving forward through the volume (a restore): the pages far behind the
/// newest write are on the disk and out of the page cache, and every byte reads back, before and after a reopen.
/// </summary>
public sealed class WriteBehindTests : IDisposable
{
    private const int Mib = 1 << 20;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Pages_far_behind_a_forward_writer_leave_the_cache_and_every_byte_reads_back()
    {
        var data = new byte[96 * Mib];
        new Random(20261204).NextBytes(data);
        var identity = new ReplicaIdentity(Guid.NewGuid(), "r1", 1);
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(LinuxFileSystem.Instance, _temp.Sub("r"), identity, data.Length, out var r));
        using (r)
        {
            for (var offset = 0; offset < data.Length; offset += 2 * Mib)
            {
                Assert.Equal(ReplicaStatus.Ok, r!.Write(offset, data.AsSpan(offset, 2 * Mib)));
                r.WriteBehind(offset, 2 * Mib);
            }
            r!.WriteBehind(data.Length, Mib); // beyond the end: nothing to do, and no harm
            Assert.False(r.TryReadCached(0, new byte[Mib]), "the first MiB, 95 MiB behind the last write, is still cached");
            Assert.True(r.TryReadCached(data.Length - Mib, new byte[Mib]), "the last write is not cached");
            Assert.Equal(ReplicaStatus.Ok, r.Flush());
            var back = new byte[data.Length];
            Assert.Equal(ReplicaStatus.Ok, r.Read(0, back));
            Assert.Equal(data, back);
        }
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(LinuxFileSystem.Instance, _temp.Sub("r"), out var reopened));
        using (reopened)
        {
            var back = new byte[data.Length];
            Assert.Equal(ReplicaStatus.Ok, reopened!.Read(0, back));
            Assert.Equal(data, back);
        }
    }

    [Fact]
    public void A_failed_writeback_fails_the_replica_rather_than_let_a_later_flush_succeed_without_the_pages()
    {
        var fs = new SimulatedFileSystem();
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(fs, "/r", new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 96 * Mib, out var r));
        using (r)
        {
            fs.FailWriteback = path => path.EndsWith(".img", StringComparison.Ordinal);
            var block = new byte[2 * Mib];
            ReplicaStatus behind = ReplicaStatus.Ok;
            for (var offset = 0; offset < 96 * Mib && behind == ReplicaStatus.Ok; offset += 2 * Mib)
            {
                Assert.Equal(ReplicaStatus.Ok, r!.Write(offset, block));
                behind = r.WriteBehind(offset, 2 * Mib);
            }
            Assert.Equal(ReplicaStatus.Failed, behind);
            Assert.True(r!.IsFailed);
            Assert.Equal(ReplicaStatus.Failed, r.Flush());
        }
    }
}
