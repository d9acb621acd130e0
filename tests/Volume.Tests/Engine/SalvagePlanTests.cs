using ActorStore.Volume.Engine;
using Xunit;
using static ActorStore.Volume.Engine.SalvagePlan;

namespace ActorStore.Volume.Tests.Engine;

public sealed class SalvagePlanTests
{
    private const long Size = 1L << 30;
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static Candidate C(string id, long revision, long dirty = 0, int failedSecond = 0, long size = Size, params string[] chain) =>
        new(id, revision, dirty, T0.AddSeconds(failedSecond), size, chain);

    [Fact]
    public void The_highest_revision_serves_and_the_ones_behind_stay_failed()
    {
        var choice = Choose([C("a", 7), C("b", 9), C("c", 9)], Size)!;
        Assert.Equal("b", choice.Source); // tied with c: the same failure time, the same log, then by id
        Assert.Equal(["c"], choice.Reconciled);
        var left = Assert.Single(choice.Left);
        Assert.Equal("a", left.ReplicaId);
        Assert.Contains("behind: revision 7", left.Why);
        Assert.Contains("highest revision (9)", choice.Reason);
    }

    [Fact]
    public void Among_equal_revisions_the_one_that_failed_last_serves_then_the_larger_dirty_log()
    {
        Assert.Equal("late", Choose([C("early", 5, failedSecond: 1), C("late", 5, failedSecond: 9)], Size)!.Source);
        var byLog = Choose([C("small", 5, dirty: 4 << 20, failedSecond: 3), C("large", 5, dirty: 12 << 20, failedSecond: 3)], Size)!;
        Assert.Equal("large", byLog.Source);
        Assert.Contains("dirty-region log", byLog.Reason);
        Assert.Equal(["small"], byLog.Reconciled);
    }

    [Fact]
    public void A_replica_with_other_snapshots_or_another_size_is_not_reconciled()
    {
        var choice = Choose([C("a", 3, chain: ["s1", "s2"]), C("b", 3, chain: ["s1"]), C("c", 3, size: Size / 2, chain: ["s1", "s2"])], Size)!;
        Assert.Equal("a", choice.Source);
        Assert.Empty(choice.Reconciled);
        Assert.Contains(choice.Left, l => l.ReplicaId == "b" && l.Why.Contains("snapshots", StringComparison.Ordinal));
        Assert.Contains(choice.Left, l => l.ReplicaId == "c" && l.Why.Contains("size", StringComparison.Ordinal));
    }

    [Fact]
    public void Nothing_to_salvage_without_a_candidate_of_the_volume_size()
    {
        Assert.Null(Choose([], Size));
        Assert.Null(Choose([C("a", 3, size: 4096)], Size));
    }
}
