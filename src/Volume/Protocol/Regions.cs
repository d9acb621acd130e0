namespace ActorStore.Volume.Protocol;

/// <summary>
/// Region lists as control messages carry them (a catch-up's regions): merged in offset order, and never longer than
/// <see cref="MaxRuns"/> — an Akka.Remote frame holds at most 128,000 bytes and drops a larger message silently. A longer
/// list is coarsened: runs separated by the smallest gaps are joined (a superset, which a catch-up may always copy).
/// </summary>
public static class Regions
{
    /// <summary>About 42 bytes of JSON each: 2,000 runs stay well inside one frame.</summary>
    public const int MaxRuns = 2000;

    public static IReadOnlyList<Region> Merged(IEnumerable<Region> regions, int maxRuns = MaxRuns)
    {
        var runs = new List<Region>();
        foreach (var r in regions.Where(r => r.Length > 0).OrderBy(r => r.Offset))
        {
            if (runs.Count > 0 && runs[^1] is var last && r.Offset <= last.Offset + last.Length)
                runs[^1] = last with { Length = Math.Max(last.Length, r.Offset + r.Length - last.Offset) };
            else runs.Add(r);
        }
        for (var gap = 1L << 20; runs.Count > maxRuns; gap *= 2) runs = Join(runs, gap);
        return runs;
    }

    /// <summary>Joins neighbouring runs less than <paramref name="gap"/> bytes apart.</summary>
    private static List<Region> Join(List<Region> runs, long gap)
    {
        var joined = new List<Region>(runs.Count);
        foreach (var r in runs)
        {
            if (joined.Count > 0 && joined[^1] is var last && r.Offset - (last.Offset + last.Length) < gap)
                joined[^1] = last with { Length = r.Offset + r.Length - last.Offset };
            else joined.Add(r);
        }
        return joined;
    }
}
