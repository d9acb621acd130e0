namespace ActorStore.Blocks;

/// <summary>A run of whole 4 KiB blocks: [Start, Start + Count).</summary>
public readonly record struct BlockExtent(long Start, long Count)
{
    public long End => Start + Count;

    public long Offset => Start << BlockSize.Shift;

    public long Length => Count << BlockSize.Shift;

    /// <summary>Appends <paramref name="extent"/> to a sorted list, merging it with the last run when they touch.</summary>
    public static void AppendMerged(List<BlockExtent> list, BlockExtent extent)
    {
        if (extent.Count <= 0) return;
        if (list.Count > 0)
        {
            var last = list[^1];
            if (extent.Start <= last.End)
            {
                list[^1] = new BlockExtent(last.Start, Math.Max(last.End, extent.End) - last.Start);
                return;
            }
        }
        list.Add(extent);
    }

    /// <summary>The union of several sorted extent lists, sorted and merged.</summary>
    public static List<BlockExtent> Union(IEnumerable<IReadOnlyList<BlockExtent>> lists)
    {
        var all = lists.SelectMany(l => l).OrderBy(e => e.Start).ToList();
        var merged = new List<BlockExtent>(all.Count);
        foreach (var e in all) AppendMerged(merged, e);
        return merged;
    }
}
