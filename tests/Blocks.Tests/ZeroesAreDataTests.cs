using System.Diagnostics;
using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>
/// On ext4, zero-range and fallocate leave unwritten extents that SEEK_DATA reports as holes once their
/// pages leave the cache, which would let old snapshot data show through again (DESIGN §4). These run on
/// the real file system and evict the page cache between writing and reading.
/// </summary>
public sealed class ZeroesAreDataTests : IDisposable
{
    private const int Mib = 1 << 20;
    private readonly TempDirectory _temp = new();
    private readonly IFileSystem _fs = LinuxFileSystem.Instance;

    public void Dispose() => _temp.Dispose();

    private Replica NewReplicaWithSnapshotData(string dir)
    {
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(_fs, dir, new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 8 * Mib, out var r));
        var ones = new byte[2 * Mib];
        ones.AsSpan().Fill(0xAB);
        Assert.Equal(ReplicaStatus.Ok, r!.Write(Mib, ones));
        Assert.Equal(ReplicaStatus.Ok, r.Snapshot("old"));
        return r;
    }

    private Replica Reopen(Replica r)
    {
        var dir = r.Directory;
        r.Dispose();
        PageCache.Drop();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(_fs, dir, out var again));
        return again!;
    }

    private static void AssertZeros(Replica r, long offset, int length)
    {
        var back = new byte[length];
        Assert.Equal(ReplicaStatus.Ok, r.Read(offset, back));
        var at = back.AsSpan().IndexOfAnyExcept((byte)0);
        Assert.True(at < 0, $"byte {offset + at} reads {back[Math.Max(at, 0)]:x2}, not zero");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Write_zeroes_over_snapshot_data_stays_zero_after_eviction(bool allocate)
    {
        var r = NewReplicaWithSnapshotData(_temp.Sub("r"));
        Assert.Equal(ReplicaStatus.Ok, r.WriteZeroes(Mib + 4096, Mib, allocate));
        Assert.Equal(ReplicaStatus.Ok, r.WriteZeroes(Mib + 100, 3000)); // a partial block too
        r = Reopen(r);
        using (r)
        {
            AssertZeros(r, Mib + 4096, Mib);
            AssertZeros(r, Mib + 100, 3000);
            var rest = new byte[4096];
            Assert.Equal(ReplicaStatus.Ok, r.Read(2 * Mib + 4096, rest));
            Assert.All(rest, b => Assert.Equal(0xAB, b));
        }
    }

    [Fact]
    public void Zeros_written_as_data_stay_zero_after_eviction()
    {
        var r = NewReplicaWithSnapshotData(_temp.Sub("r"));
        Assert.Equal(ReplicaStatus.Ok, r.Write(Mib, new byte[Mib]));
        r = Reopen(r);
        using (r) AssertZeros(r, Mib, Mib);
    }

    [Theory]
    [InlineData("--zero-range")]
    [InlineData("--keep-size")]
    public void An_unwritten_extent_in_the_head_shows_the_data_below_it_never_zeros(string mode)
    {
        // ext4 allocates unwritten extents at writeback and converts them once the data is on disk, so a
        // power cut in between leaves one where a write was never made durable. The store writes its
        // zeroes as bytes and never makes one itself; here fallocate makes one as such a crash would.
        var r = NewReplicaWithSnapshotData(_temp.Sub("r"));
        var dir = r.Directory;
        r.Dispose();
        var head = Directory.GetFiles(dir, "volume-head-*.img").Single();
        string[] args = mode == "--zero-range"
            ? ["--zero-range", "--keep-size", "--offset", $"{Mib}", "--length", $"{Mib}", head]
            : ["--keep-size", "--offset", $"{Mib}", "--length", $"{Mib}", head];
        using (var p = Process.Start("fallocate", args)!)
        {
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
        }
        PageCache.Drop();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(_fs, dir, out var again));
        using (again)
        {
            var back = new byte[Mib];
            Assert.Equal(ReplicaStatus.Ok, again!.Read(Mib, back));
            Assert.True(back.AsSpan().IndexOfAnyExcept((byte)0xAB) < 0, "the never-written range must read as the snapshot below");
            var headExtents = new List<BlockExtent>();
            Assert.Equal(ReplicaStatus.Ok, again.GetLayerExtents(null, headExtents));
            Assert.Empty(headExtents);
        }
    }

    [Fact]
    public void Trim_never_uncovers_snapshot_data()
    {
        var r = NewReplicaWithSnapshotData(_temp.Sub("r"));
        var data = new byte[Mib];
        data.AsSpan().Fill(0x11);
        Assert.Equal(ReplicaStatus.Ok, r.Write(Mib, data));
        Assert.Equal(ReplicaStatus.Ok, r.Write(4 * Mib, data));
        Assert.Equal(ReplicaStatus.Ok, r.Trim(0, 8 * Mib));
        r = Reopen(r);
        using (r)
        {
            var back = new byte[Mib];
            Assert.Equal(ReplicaStatus.Ok, r.Read(Mib, back));
            Assert.All(back, b => Assert.Equal(0x11, b)); // kept: a lower layer holds these blocks
            AssertZeros(r, 4 * Mib, Mib); // discarded: only the head held them
        }
    }
}
