using ActorStore.Cluster.Backups;
using Xunit;

namespace ActorStore.Cluster.Tests.Backups;

public sealed class RunTableTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_completed_backup_leaves_the_table_and_a_failed_one_stays_with_its_error()
    {
        var runs = new RunTable(TimeSpan.FromSeconds(60));
        runs.Start("b1", RunTable.Backup, "v", "s1", "node-1", T0, T0);
        runs.Start("b2", RunTable.Backup, "w", "s1", "node-2", T0, T0);
        Assert.Equal("b1", runs.RunningOf("v"));
        runs.Progress("b1", "", 50, 100, T0.AddSeconds(1));
        Assert.Equal(50, runs.View().Single(r => r.Id == "b1").Done);
        runs.Finish("b1", null, T0.AddSeconds(2));
        runs.Finish("b2", "the target is full", T0.AddSeconds(2));
        var left = Assert.Single(runs.View());
        Assert.Equal(("b2", "failed", "the target is full"), (left.Id, left.State, left.Error));
        Assert.Null(runs.RunningOf("v"));
    }

    [Fact]
    public void A_restore_is_done_when_every_replica_is_and_its_progress_is_their_sum()
    {
        var runs = new RunTable(TimeSpan.FromSeconds(60));
        runs.Start("r1", RunTable.Restore, "v", "backup-1", "", T0, T0, ["a", "b"]);
        runs.Progress("r1", "a", 10, 100, T0.AddSeconds(1));
        runs.Progress("r1", "b", 30, 100, T0.AddSeconds(1));
        var view = Assert.Single(runs.View());
        Assert.Equal((40L, 200L), (view.Done, view.Total));
        Assert.False(runs.PartDone("r1", "a", T0.AddSeconds(2)));
        Assert.True(runs.PartDone("r1", "b", T0.AddSeconds(2)));
        runs.Finish("r1", null, T0.AddSeconds(3));
        Assert.Equal("completed", Assert.Single(runs.View()).State); // a completed restore stays listed
    }

    [Fact]
    public void Work_whose_nodes_fall_silent_is_stale_and_a_refused_node_fails_what_it_never_reported()
    {
        var runs = new RunTable(TimeSpan.FromSeconds(60));
        runs.Start("b1", RunTable.Backup, "v", "s1", "node-1", T0, T0);
        runs.Start("b2", RunTable.Backup, "w", "s1", "node-2", T0, T0);
        runs.Progress("b2", "", 1, 10, T0.AddSeconds(30));
        Assert.Empty(runs.Stale(T0.AddSeconds(59)));
        var stale = Assert.Single(runs.Stale(T0.AddSeconds(61)));
        Assert.Equal("b1", stale.Id);
        Assert.Contains("node-1", stale.Why);
        Assert.Equal(["b1"], runs.Unheard("node-1"));
        Assert.Empty(runs.Unheard("node-2"));
    }

    [Fact]
    public void A_restore_part_whose_node_falls_silent_is_stale_while_the_others_still_report()
    {
        var runs = new RunTable(TimeSpan.FromSeconds(60));
        runs.Start("r1", RunTable.Restore, "v", "backup-1", "", T0, T0, ["a", "b"]);
        runs.Progress("r1", "a", 10, 100, T0.AddSeconds(50));
        runs.Progress("r1", "a", 20, 100, T0.AddSeconds(100));
        var stale = Assert.Single(runs.Stale(T0.AddSeconds(101)));
        Assert.Contains("writing b", stale.Why);
    }

    [Fact]
    public void Its_events_list_every_run_again_as_it_started_and_ended()
    {
        var runs = new RunTable(TimeSpan.FromSeconds(60));
        runs.Start("b1", RunTable.Backup, "v", "s1", "node-1", T0, T0);
        runs.Start("b2", RunTable.Backup, "w", "s1", "node-2", T0.AddSeconds(1), T0);
        runs.Start("r1", RunTable.Restore, "x", "backup-1", "", T0.AddSeconds(2), T0, ["a", "b"]);
        runs.Start("r2", RunTable.Restore, "y", "backup-2", "", T0.AddSeconds(3), T0, ["c"]);
        runs.Finish("b2", "the target is full", T0.AddSeconds(4));
        runs.Finish("r1", null, T0.AddSeconds(5));

        var (started, ended) = runs.ToEvents();
        var again = new RunTable(TimeSpan.FromSeconds(60));
        foreach (var e in started) again.Start(e.Id, e.Kind!, e.Volume, e.Snapshot, e.Node, e.At, T0, e.Parts);
        foreach (var e in ended) again.Finish(e.Id, e.Error, e.At);

        Assert.Equal(runs.View(), again.View());
        Assert.Null(started.Single(e => e.Id == "b1").Parts); // a backup is one part
        Assert.Equal(["a", "b"], started.Single(e => e.Id == "r1").Parts!);
        Assert.True(again.PartDone("r2", "c", T0.AddSeconds(6)), "a restore running when the events were taken runs on, with its parts");
    }
}
