using Xunit;

namespace ActorStore.Blocks.Tests.Model;

/// <summary>Compares a replica with the model: head bytes, snapshot list and contents, layer extents and the allocation map.</summary>
public static class ReplicaChecks
{
    private const int B = BlockSize.Bytes;

    public static void AssertMatches(Replica replica, ChainModel model, string context)
    {
        Assert.True(replica.Size == model.Size, $"{context}: size {replica.Size}, model {model.Size}");
        var head = ReadAll(replica);
        AssertSameBytes(model.Head, head, $"{context}: head");

        var snaps = replica.Snapshots();
        Assert.True(
            snaps.Select(s => $"{s.Name}<{s.Parent}>{(s.Removed ? "x" : "")}").Order().SequenceEqual(
                model.Snaps.Values.Select(s => $"{s.Name}<{s.Parent}>{(s.Removed ? "x" : "")}").Order()),
            $"{context}: snapshots [{string.Join(' ', snaps.Select(s => $"{s.Name}<{s.Parent}>{(s.Removed ? "x" : "")}"))}] model [{string.Join(' ', model.Snaps.Values.Select(s => $"{s.Name}<{s.Parent}>{(s.Removed ? "x" : "")}"))}]");
        Assert.Equal(model.HeadParent, replica.HeadParent);
        foreach (var s in model.Snaps.Values.Where(s => !s.Removed))
            AssertSameBytes(s.Content, ReadSnapshot(replica, s.Name), $"{context}: snapshot {s.Name}");

        AssertChangedBlocksCoverDifferences(replica, model, context);

        var headExtents = new List<BlockExtent>();
        Assert.Equal(ReplicaStatus.Ok, replica.GetLayerExtents(null, headExtents));
        var held = headExtents.SelectMany(e => Enumerable.Range(0, (int)e.Count).Select(i => e.Start + i)).ToHashSet();
        Assert.True(held.SetEquals(model.HeadHeld), $"{context}: head holds [{string.Join(',', held.Order())}], model [{string.Join(',', model.HeadHeld.Order())}]");

        var map = new List<AllocationExtent>();
        Assert.Equal(ReplicaStatus.Ok, replica.GetAllocation(0, replica.Size, map));
        Assert.Equal(replica.Size, map.Sum(e => e.Length));
        foreach (var e in map)
            for (var b = e.Offset / B; b < (e.Offset + e.Length) / B; b++)
                Assert.True(model.Allocated(b) == !e.IsHole, $"{context}: block {b} allocation {(e.IsHole ? "hole" : "data")}");
    }

    /// <summary>Every block whose content differs between two snapshots (or from empty) is in their changed set.</summary>
    private static void AssertChangedBlocksCoverDifferences(Replica replica, ChainModel model, string context)
    {
        var live = model.Snaps.Values.Where(s => !s.Removed).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        foreach (var to in live)
        {
            foreach (var from in live.Where(f => f != to).Cast<ChainModel.Snap?>().Append(null))
            {
                var changed = new List<BlockExtent>();
                Assert.Equal(ReplicaStatus.Ok, replica.GetChangedBlocks(from?.Name, to.Name, changed));
                var set = changed.SelectMany(e => Enumerable.Range(0, (int)e.Count).Select(i => e.Start + i)).ToHashSet();
                var blocks = Math.Max(to.Content.Length, from?.Content.Length ?? 0) / B;
                for (var b = 0; b < blocks; b++)
                {
                    var a = b * B < to.Content.Length ? to.Content.AsSpan(b * B, B) : new byte[B];
                    var f = from is not null && b * B < from.Content.Length ? from.Content.AsSpan(b * B, B) : new byte[B];
                    Assert.True(a.SequenceEqual(f) || set.Contains(b), $"{context}: block {b} differs between {from?.Name ?? "empty"} and {to.Name} but is not in the changed set");
                }
            }
        }
    }

    public static byte[] ReadAll(Replica replica)
    {
        var bytes = new byte[replica.Size];
        Assert.Equal(ReplicaStatus.Ok, replica.Read(0, bytes));
        // Whenever a cached read answers (on the simulated file system: always), it answers the same.
        var cached = new byte[replica.Size];
        if (replica.TryReadCached(0, cached)) AssertSameBytes(bytes, cached, "a cached read against Read");
        return bytes;
    }

    public static byte[] ReadSnapshot(Replica replica, string name)
    {
        Assert.Equal(ReplicaStatus.Ok, replica.OpenSnapshot(name, out var reader));
        var bytes = new byte[reader!.Size];
        Assert.Equal(ReplicaStatus.Ok, reader.Read(0, bytes));
        return bytes;
    }

    public static void AssertSameBytes(byte[] expected, byte[] actual, string context)
    {
        Assert.True(expected.Length == actual.Length, $"{context}: length {actual.Length}, expected {expected.Length}");
        var at = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(at == expected.Length, $"{context}: first difference at byte {at} (block {at / B}): {(at < actual.Length ? actual[at] : 0)} expected {(at < expected.Length ? expected[at] : 0)}");
    }
}
