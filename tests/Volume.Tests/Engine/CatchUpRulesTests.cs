using ActorStore.Volume.Engine;
using Xunit;
using static ActorStore.Volume.Protocol.ReplicaProtocol;

namespace ActorStore.Volume.Tests.Engine;

public sealed class CatchUpRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static LayerInfo L(string name, string? parent, bool removed = false) => new(name, parent, T0, true, removed, 1 << 30, [], null);

    private static LayerList Of(string? head, params LayerInfo[] layers) => new("r", Guid.Empty, layers, head);

    [Fact]
    public void Without_snapshots_taken_while_away_the_old_head_becomes_the_rebuild_snapshot()
    {
        var plan = CatchUpRules.Decide(Of("s1", L("s1", null)), Of("s1", L("s1", null)), "rebuild-x");
        Assert.Equal("rebuild-x", plan.Patch);
        Assert.Equal(["s1"], plan.Have);
    }

    [Fact]
    public void With_snapshots_taken_while_away_the_old_head_becomes_the_first_of_them()
    {
        var healthy = Of("s3", L("s1", null), L("s2", "s1"), L("s3", "s2"));
        Assert.Equal("s2", CatchUpRules.Decide(Of("s1", L("s1", null)), healthy, "rebuild-x").Patch);
        Assert.Equal("s1", CatchUpRules.Decide(Of(null), healthy, "rebuild-x").Patch);
    }

    [Theory]
    [InlineData("gone")] // a snapshot deleted and purged meanwhile
    [InlineData("removed")] // deleted (marked) meanwhile
    [InlineData("branch")] // its head stands off the healthy head chain (a revert meanwhile)
    public void A_replica_whose_snapshots_changed_meanwhile_cannot_catch_up(string change)
    {
        var healthy = Of("s2", L("s1", null), L("s2", "s1"), L("b", null));
        var returning = change switch
        {
            "gone" => Of("s1", L("s1", null), L("old", "s1")),
            "removed" => Of("s1", L("s1", null, removed: true)),
            _ => Of("b", L("s1", null), L("b", null)),
        };
        var plan = CatchUpRules.Decide(returning, healthy, "rebuild-x");
        Assert.Null(plan.Patch);
        Assert.NotNull(plan.Refusal);
    }
}
