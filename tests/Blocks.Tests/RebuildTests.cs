using ActorStore.Blocks.Devices;
using ActorStore.Blocks.Tests.Model;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>
/// A replica rebuilt from a healthy one layer by layer (DESIGN §5), on the real file system: every snapshot
/// of the tree (a revert makes it a tree) reads the same on both afterwards, also after a reopen with the
/// page cache dropped, while the head took live writes all along.
/// </summary>
public sealed class RebuildTests : IDisposable
{
    private const int Mib = 1 << 20;
    private const long Size = 16 * Mib;
    private readonly TempDirectory _temp = new();
    private readonly IFileSystem _fs = LinuxFileSystem.Instance;
    private readonly Guid _volume = Guid.NewGuid();

    public void Dispose() => _temp.Dispose();

    private Replica Make(string id, bool rebuilding = false)
    {
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(_fs, _temp.Sub(id), new ReplicaIdentity(_volume, id, 1), Size, out var r, rebuilding: rebuilding));
        return r!;
    }

    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>A source with five snapshots, one of them removed, and a branch left by a revert.</summary>
    private Replica SourceWithTree()
    {
        var source = Make("source");
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(ReplicaStatus.Ok, source.Write(i * 3 * Mib + 4096 * i, Pattern(Mib + 4096, i)));
            Assert.Equal(ReplicaStatus.Ok, source.WriteZeroes(i * Mib + 8 * Mib, 64 * 1024)); // zeroes over lower data are data
            Assert.Equal(ReplicaStatus.Ok, source.Snapshot($"s{i}", userCreated: i % 2 == 0, labels: new Dictionary<string, string> { ["n"] = $"{i}" }));
        }
        Assert.Equal(ReplicaStatus.Ok, source.DeleteSnapshot("s1"));
        Assert.Equal(ReplicaStatus.Ok, source.Revert("s2"));
        Assert.Equal(ReplicaStatus.Ok, source.Write(5 * Mib + 512, Pattern(3000, 9)));
        Assert.Equal(ReplicaStatus.Ok, source.Snapshot("s4"));
        return source;
    }

    /// <summary>Both replicas take the same write, as the engine sends every write to RW and WO replicas.</summary>
    private static void WriteBoth(Replica a, Replica b, long offset, byte[] data)
    {
        Assert.Equal(ReplicaStatus.Ok, a.Write(offset, data));
        Assert.Equal(ReplicaStatus.Ok, b.Write(offset, data));
    }

    /// <param name="copied">Every snapshot was copied (none taken on each replica during the copy, each with its own time).</param>
    private static void AssertSameSnapshots(Replica source, Replica target, bool copied = true)
    {
        var expected = source.Snapshots();
        var actual = target.Snapshots();
        Assert.Equal(expected.Select(Describe), actual.Select(Describe));
        if (copied) Assert.Equal(expected.Select(s => s.Created), actual.Select(s => s.Created));
        foreach (var s in expected)
        {
            Assert.Equal(ReplicaStatus.Ok, source.GetLayerDigest(s.Name, out var a));
            Assert.Equal(ReplicaStatus.Ok, target.GetLayerDigest(s.Name, out var b));
            Assert.Equal(a, b);
            if (s.Removed) continue;
            Assert.Equal(Convert.ToHexString(ReadSnapshot(source, s.Name)), Convert.ToHexString(ReadSnapshot(target, s.Name)));
        }
        Assert.Equal(source.HeadParent, target.HeadParent);
        Assert.Equal(ReplicaChecks.ReadAll(source), ReplicaChecks.ReadAll(target));
    }

    private static string Describe(SnapshotInfo s) =>
        $"{s.Name} parent={s.Parent} user={s.UserCreated} removed={s.Removed} size={s.Size} labels={string.Join(',', s.Labels.Select(l => $"{l.Key}={l.Value}"))}";

    private static byte[] ReadSnapshot(Replica replica, string name)
    {
        Assert.Equal(ReplicaStatus.Ok, replica.OpenSnapshot(name, out var reader));
        var data = new byte[reader!.Size];
        Assert.Equal(ReplicaStatus.Ok, reader.Read(0, data));
        return data;
    }

    private Replica Reopen(Replica r)
    {
        var dir = r.Directory;
        r.Dispose();
        PageCache.Drop();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(_fs, dir, out var again));
        return again!;
    }

    [Fact]
    public void A_rebuilt_replica_has_every_snapshot_of_the_tree_and_the_head_while_writes_went_on()
    {
        using var source = SourceWithTree();
        var target = Make("target", rebuilding: true);
        Assert.True(target.Rebuilding);

        // Live writes before the rebuild's snapshot, then the snapshot on both, then the copy with more writes going on.
        WriteBoth(source, target, 2 * Mib, Pattern(2 * Mib, 20));
        Assert.Equal(ReplicaStatus.Ok, source.Snapshot("rebuild-1", userCreated: false));
        Assert.Equal(ReplicaStatus.Ok, target.Snapshot("rebuild-1", userCreated: false));
        var copied = LayerCopier.CopyAll(source, target, during: () => WriteBoth(source, target, 7 * Mib, Pattern(Mib, 21)));
        WriteBoth(source, target, 12 * Mib, Pattern(Mib, 22));
        Assert.Equal(ReplicaStatus.Ok, target.SetRebuilding(false));

        Assert.True(copied > 0);
        AssertSameSnapshots(source, target);
        target = Reopen(target);
        using (target)
        {
            Assert.False(target.Rebuilding);
            AssertSameSnapshots(source, target);
            Assert.DoesNotContain(_fs.ListFiles(target.Directory), f => f.StartsWith("staged-", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_snapshot_taken_during_the_copy_stays_on_the_target_above_the_installed_layers()
    {
        using var source = SourceWithTree();
        using var target = Make("target", rebuilding: true);
        Assert.Equal(ReplicaStatus.Ok, source.Snapshot("rebuild-1", userCreated: false));
        Assert.Equal(ReplicaStatus.Ok, target.Snapshot("rebuild-1", userCreated: false));
        LayerCopier.CopyAll(source, target, during: () =>
        {
            WriteBoth(source, target, 3 * Mib, Pattern(Mib, 30));
            Assert.Equal(ReplicaStatus.Ok, source.Snapshot("during"));
            Assert.Equal(ReplicaStatus.Ok, target.Snapshot("during"));
        });
        Assert.Equal(ReplicaStatus.Ok, target.SetRebuilding(false));
        AssertSameSnapshots(source, target, copied: false);
    }

    [Fact]
    public void Zeroes_written_while_rebuilding_hide_the_data_of_a_layer_copied_later()
    {
        using var source = Make("source");
        Assert.Equal(ReplicaStatus.Ok, source.Write(0, Pattern(4 * Mib, 40)));
        using var target = Make("target", rebuilding: true);
        Assert.Equal(ReplicaStatus.Ok, source.Snapshot("rebuild-1", userCreated: false));
        Assert.Equal(ReplicaStatus.Ok, target.Snapshot("rebuild-1", userCreated: false));
        foreach (var r in new[] { source, target })
        {
            Assert.Equal(ReplicaStatus.Ok, r.WriteZeroes(Mib, Mib)); // the target's head holds nothing below yet
            Assert.Equal(ReplicaStatus.Ok, r.Trim(2 * Mib, Mib)); // a no-op on the target while it rebuilds
        }
        LayerCopier.CopyAll(source, target);
        Assert.Equal(ReplicaStatus.Ok, target.SetRebuilding(false));
        Assert.Equal(ReplicaChecks.ReadAll(source), ReplicaChecks.ReadAll(target));
        var zeros = new byte[Mib];
        Assert.Equal(ReplicaStatus.Ok, target.Read(Mib, zeros));
        Assert.True(zeros.AsSpan().IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void A_layer_staged_again_starts_over_and_a_wrong_copy_is_caught_by_its_digest()
    {
        using var source = Make("source");
        Assert.Equal(ReplicaStatus.Ok, source.Write(Mib, Pattern(2 * Mib, 50)));
        Assert.Equal(ReplicaStatus.Ok, source.Snapshot("s"));
        using var target = Make("target", rebuilding: true);
        var info = source.Snapshots().Single();
        Assert.Equal(ReplicaStatus.Ok, source.GetLayerDigest("s", out var expected));

        Assert.Equal(ReplicaStatus.Ok, target.StageLayer(info));
        Assert.Equal(ReplicaStatus.Ok, target.WriteStaged("s", Mib, Pattern(Mib, 51))); // half, and wrong
        Assert.Equal(ReplicaStatus.Ok, target.CheckStaged("s", out var wrong));
        Assert.NotEqual(expected, wrong);

        // The source was lost midway: the layer starts over from another, and only what it copies counts.
        Assert.Equal(ReplicaStatus.Ok, target.StageLayer(info));
        var digest = LayerCopier.CopyLayer(source, target, "s");
        Assert.Equal(expected, digest);
        Assert.Equal(ReplicaStatus.Ok, target.CheckStaged("s", out var staged));
        Assert.Equal(expected, staged);
        Assert.Equal(ReplicaStatus.Ok, target.InstallStaged(["s"]));
        Assert.Equal(ReadSnapshot(source, "s"), ReadSnapshot(target, "s"));
    }

    [Fact]
    public void Staged_layers_are_forgotten_by_a_reopen_and_bad_installs_change_nothing()
    {
        using var source = SourceWithTree();
        var target = Make("target", rebuilding: true);
        var s3 = source.Snapshots().Single(s => s.Name == "s3");
        Assert.Equal(ReplicaStatus.Ok, target.StageLayer(s3));
        LayerCopier.CopyLayer(source, target, "s3");
        // s3's parent s2 is not on the target: the tree would not be whole.
        Assert.Equal(ReplicaStatus.InvalidArgument, target.InstallStaged(["s3"]));
        Assert.Equal(ReplicaStatus.NotFound, target.InstallStaged(["s2"]));
        Assert.Empty(target.Snapshots());

        target = Reopen(target); // a crash or restart before the install
        using (target)
        {
            Assert.DoesNotContain(_fs.ListFiles(target.Directory), f => f.StartsWith("staged-", StringComparison.Ordinal));
            Assert.Equal(ReplicaStatus.NotFound, target.WriteStaged("s3", 0, new byte[4096]));
            Assert.Empty(target.Snapshots());
        }
        // Only a replica made for a rebuild takes staged layers.
        Assert.Equal(ReplicaStatus.InvalidArgument, source.StageLayer(s3));
    }

    /// <summary>What the engine's rebuild does over its replica channels, done here directly: each layer parent first, extent by extent.</summary>
    private static class LayerCopier
    {
        public static long CopyAll(Replica source, Replica target, Action? during = null)
        {
            var snapshots = source.Snapshots();
            var ordered = new List<SnapshotInfo>();
            while (ordered.Count < snapshots.Count)
                ordered.AddRange(snapshots.Where(s => !ordered.Contains(s) && (s.Parent is null || ordered.Any(o => o.Name == s.Parent))).ToList());
            long bytes = 0;
            foreach (var s in ordered)
            {
                Assert.Equal(ReplicaStatus.Ok, target.StageLayer(s));
                var digest = CopyLayer(source, target, s.Name);
                Assert.Equal(ReplicaStatus.Ok, target.CheckStaged(s.Name, out var staged));
                Assert.Equal(digest, staged);
                bytes += digest.Bytes;
                during?.Invoke();
                during = null;
            }
            Assert.Equal(ReplicaStatus.Ok, target.InstallStaged(ordered.Select(s => s.Name).ToArray()));
            return bytes;
        }

        public static LayerDigest CopyLayer(Replica source, Replica target, string name)
        {
            var extents = new List<BlockExtent>();
            Assert.Equal(ReplicaStatus.Ok, source.GetLayerExtents(name, extents));
            var digest = LayerDigest.Empty;
            var buffer = new byte[Mib];
            foreach (var e in extents)
            {
                for (var at = e.Offset; at < e.Offset + e.Length;)
                {
                    var n = (int)Math.Min(buffer.Length, e.Offset + e.Length - at);
                    Assert.Equal(ReplicaStatus.Ok, source.ReadLayer(name, at, buffer.AsSpan(0, n)));
                    Assert.Equal(ReplicaStatus.Ok, target.WriteStaged(name, at, buffer.AsSpan(0, n)));
                    digest = digest.Append(buffer.AsSpan(0, n));
                    at += n;
                }
            }
            return digest;
        }
    }
}
