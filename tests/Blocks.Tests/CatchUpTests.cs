using ActorStore.Blocks.Devices;
using ActorStore.Blocks.Tests.Model;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>
/// A replica that was away catches up (DESIGN §3): the healthy replica noted the regions of every tracked write in
/// its absent log; the returning replica's head becomes the staged first layer it lacks, only those regions are
/// patched into it, the layers taken meanwhile are copied whole, and afterwards every layer is the same on both.
/// </summary>
public sealed class CatchUpTests : IDisposable
{
    private const int Mib = 1 << 20;
    private const long Size = 64 * Mib;
    private readonly TempDirectory _temp = new();
    private readonly IFileSystem _fs = LinuxFileSystem.Instance;
    private readonly Guid _volume = Guid.NewGuid();

    public void Dispose() => _temp.Dispose();

    private Replica Make(string id)
    {
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(_fs, _temp.Sub(id), new ReplicaIdentity(_volume, id, 1), Size, out var r));
        return r!;
    }

    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static void Both(Replica a, Replica b, Func<Replica, ReplicaStatus> op)
    {
        Assert.Equal(ReplicaStatus.Ok, op(a));
        Assert.Equal(ReplicaStatus.Ok, op(b));
    }

    [Fact]
    public void A_replica_back_after_writes_and_a_snapshot_gets_only_the_regions_written_and_ends_identical()
    {
        using var healthy = Make("healthy");
        var away = Make("away");
        Both(healthy, away, r => r.Write(0, Pattern(8 * Mib, 1)));
        Both(healthy, away, r => r.Snapshot("s1"));
        Both(healthy, away, r => r.Write(20 * Mib, Pattern(6 * Mib, 2)));

        // Gone: the healthy replica takes tracked writes, zeroes over data, and a snapshot; then more writes.
        Assert.Empty(healthy.AbsentRegions());
        Assert.Equal(ReplicaStatus.Ok, healthy.Write(21 * Mib + 512, Pattern(4096, 3), track: true));
        Assert.Equal(ReplicaStatus.Ok, healthy.WriteZeroes(2 * Mib, Mib, track: true));
        Assert.Equal(ReplicaStatus.Ok, healthy.WriteZeroes(24 * Mib, Mib, track: true)); // over the head's own data: punched
        Assert.Equal(ReplicaStatus.Ok, healthy.Snapshot("s2"));
        Assert.Equal(ReplicaStatus.Ok, healthy.Write(40 * Mib, Pattern(Mib, 4), track: true));
        var regions = healthy.AbsentRegions();
        Assert.Equal(4 * Mib, regions.Sum(r => r.Length)); // the 1 MiB regions at 2, 21, 24 and 40 MiB

        // Back: its head becomes the staged s2, patched where the healthy replica was written; the rest is whole layers.
        away = Reopen(away);
        Assert.Equal(ReplicaStatus.Ok, away.BeginCatchUp("s2", out var dirty));
        Assert.Empty(dirty); // it was closed cleanly
        Assert.True(away.Rebuilding);
        Assert.Equal(["s1"], away.Snapshots().Select(s => s.Name));
        Both(healthy, away, r => r.Write(50 * Mib, Pattern(Mib, 5))); // live writes go on into its new head
        Both(healthy, away, r => r.Snapshot("rebuild-1", userCreated: false));
        var infos = healthy.Snapshots().ToDictionary(s => s.Name);
        Assert.Equal(ReplicaStatus.Ok, away.StageLayer(infos["s2"], keep: true));
        long copied = 0;
        foreach (var region in regions)
        {
            Assert.Equal(ReplicaStatus.Ok, away.PunchStaged("s2", region.Offset, region.Length));
            copied += CopyExtents(healthy, away, "s2", region.Offset, region.Length);
        }
        Assert.Equal(ReplicaStatus.Ok, away.StageLayer(infos["rebuild-1"]));
        copied += CopyExtents(healthy, away, "rebuild-1", 0, Size);
        foreach (var name in new[] { "s2", "rebuild-1" })
        {
            Assert.Equal(ReplicaStatus.Ok, healthy.GetLayerDigest(name, out var expected));
            Assert.Equal(ReplicaStatus.Ok, away.CheckStaged(name, out var staged));
            Assert.Equal(expected, staged);
        }
        Assert.Equal(ReplicaStatus.Ok, away.InstallStaged(["s2", "rebuild-1"]));
        Assert.Equal(ReplicaStatus.Ok, away.SetRebuilding(false));
        Assert.True(copied < 12 * Mib, $"copied {copied} bytes");

        away = Reopen(away);
        using (away)
        {
            foreach (var s in healthy.Snapshots())
            {
                Assert.Equal(ReplicaStatus.Ok, healthy.GetLayerDigest(s.Name, out var a));
                Assert.Equal(ReplicaStatus.Ok, away.GetLayerDigest(s.Name, out var b));
                Assert.Equal(a, b);
            }
            Assert.Equal(healthy.HeadParent, away.HeadParent);
            Assert.Equal(ReplicaChecks.ReadAll(healthy), ReplicaChecks.ReadAll(away));
        }
        Assert.Equal(ReplicaStatus.Ok, healthy.ClearAbsentRegions());
        Assert.Empty(healthy.AbsentRegions());
    }

    [Fact]
    public void The_absent_log_survives_a_crash_and_an_untracked_write_leaves_it_alone()
    {
        var healthy = Make("healthy");
        Assert.Equal(ReplicaStatus.Ok, healthy.Write(0, Pattern(4096, 1)));
        Assert.Equal(ReplicaStatus.Ok, healthy.Write(9 * Mib, Pattern(4096, 2), track: true));
        Assert.Equal(ReplicaStatus.Ok, healthy.Flush());
        var dir = healthy.Directory;
        healthy.Dispose();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(_fs, dir, out var again));
        using (again)
            Assert.Equal([new BlockExtent(9 * Mib / 4096, Mib / 4096)], again!.AbsentRegions());
    }

    [Fact]
    public void After_a_process_crash_the_page_cache_kept_its_writes_so_its_dirty_regions_are_not_redone()
    {
        var away = Make("away");
        Assert.Equal(ReplicaStatus.Ok, away.Write(12 * Mib, Pattern(4096, 1)));
        var dir = away.Directory;
        // SIGKILL of the process: the files as they are, volume.meta still dirty, the dirty-region log marked.
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(_fs, dir, out var crashed));
        using (crashed)
        {
            Assert.True(crashed!.OpenedAfterUncleanStop);
            Assert.NotEmpty(crashed.DirtyRegions());
            Assert.Equal(ReplicaStatus.Ok, crashed.BeginCatchUp("s1", out var dirty));
            Assert.Empty(dirty);
        }
        away.Dispose();
    }

    [Fact]
    public void Catch_up_refuses_a_layer_name_it_already_holds()
    {
        using var away = Make("away");
        Assert.Equal(ReplicaStatus.Ok, away.Snapshot("s1"));
        Assert.Equal(ReplicaStatus.AlreadyExists, away.BeginCatchUp("s1", out _));
        Assert.Equal(ReplicaStatus.InvalidName, away.BeginCatchUp("../x", out _));
        Assert.False(away.Rebuilding);
    }

    private Replica Reopen(Replica r)
    {
        var dir = r.Directory;
        r.Dispose();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(_fs, dir, out var again));
        return again!;
    }

    private static long CopyExtents(Replica source, Replica target, string layer, long offset, long length)
    {
        var extents = new List<BlockExtent>();
        Assert.Equal(ReplicaStatus.Ok, source.GetLayerExtents(layer, offset, length, extents));
        long bytes = 0;
        foreach (var e in extents)
        {
            var start = Math.Max(e.Offset, offset);
            var end = Math.Min(e.Offset + e.Length, offset + length);
            var buffer = new byte[end - start];
            Assert.Equal(ReplicaStatus.Ok, source.ReadLayer(layer, start, buffer));
            Assert.Equal(ReplicaStatus.Ok, target.WriteStaged(layer, start, buffer));
            bytes += buffer.Length;
        }
        return bytes;
    }
}
