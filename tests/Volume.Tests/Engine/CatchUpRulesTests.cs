using ActorStore.Volume.Engine;
using ActorStore.Volume.Protocol;
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

    [Fact]
    public void A_snapshot_deleted_while_away_is_marked_removed_on_the_returning_replica_too()
    {
        var plan = CatchUpRules.Decide(Of("s2", L("s1", null), L("s2", "s1")), Of("s2", L("s1", null, removed: true), L("s2", "s1")), "rebuild-x");
        Assert.Equal("rebuild-x", plan.Patch);
        Assert.Equal(["s1"], plan.Remove);
    }

    [Theory]
    [InlineData("gone")] // a snapshot deleted and purged meanwhile
    [InlineData("removed")] // marked removed on it only (no delete reaches one replica alone)
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

    [Fact]
    public void Region_lists_are_merged_and_coarsened_to_fit_one_remoting_frame()
    {
        const long MiB = 1 << 20;
        var merged = Regions.Merged([new(4 * MiB, MiB), new(0, MiB), new(MiB / 2, MiB), new(9 * MiB, 0)]);
        Assert.Equal([new Region(0, 3 * MiB / 2), new Region(4 * MiB, MiB)], merged);

        // 20,000 scattered 1 MiB regions (a large volume written all over while a replica was away).
        var scattered = Enumerable.Range(0, 20_000).Select(i => new Region(i * 3L * MiB, MiB)).ToArray();
        var coarse = Regions.Merged(scattered);
        Assert.InRange(coarse.Count, 1, Regions.MaxRuns);
        Assert.All(scattered, r => Assert.Contains(coarse, c => c.Offset <= r.Offset && r.Offset + r.Length <= c.Offset + c.Length));
        var json = System.Text.Json.JsonSerializer.Serialize(new ActorStore.Volume.Protocol.ReplicaProtocol.AbsentRegionList("r", Guid.Empty, coarse));
        Assert.True(json.Length < 128_000, $"{json.Length} bytes");
    }
}
