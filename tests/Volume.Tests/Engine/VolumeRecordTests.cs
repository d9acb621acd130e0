using ActorStore.Volume.Engine;
using ActorStore.Volume.Protocol;
using Xunit;
using static ActorStore.Volume.Protocol.VolumeEvents;

namespace ActorStore.Volume.Tests.Engine;

public sealed class VolumeRecordTests
{
    private static readonly Guid VolumeId = new("11111111-2222-3333-4444-555555555555");
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static CreateRequested Create(Guid id, int replicas = 3) =>
        new(id, 1L << 30, replicas, Now, Enumerable.Range(0, replicas).Select(i => new NewReplica($"r{i}", $"node{i}", "disk")).ToList());

    private static VolumeRecord Created(int replicas = 3)
    {
        var record = new VolumeRecord("vol");
        record.Apply(Create(VolumeId, replicas));
        record.Apply(new CreateCompleted(VolumeId));
        return record;
    }

    [Fact]
    public void A_replacement_is_write_only_until_rebuilt_and_the_replaced_replica_goes()
    {
        var record = Created();
        record.Apply(new ReplicaFailed("r1", "write: IoError", Now, ReplicaFault.IoError));
        record.Apply(new ReplicaAdded("r3", "node3", "disk", Replaces: "r1", Now));
        Assert.Equal(ReplicaMode.WriteOnly, record.Replicas.Single(r => r.Id == "r3").Mode);
        Assert.Equal("degraded", record.Robustness);
        record.Apply(new ReplicaRebuilt("r3", 1 << 20, Now));
        record.Apply(new ReplicaRemoved("r1", "replaced by r3", Now));
        Assert.Equal(["r0", "r2", "r3"], record.Replicas.Select(r => r.Id).Order());
        Assert.All(record.Replicas, r => Assert.Equal(ReplicaMode.ReadWrite, r.Mode));
        Assert.Equal("healthy", record.Robustness);
    }

    [Fact]
    public void A_replacement_that_fails_before_it_is_rebuilt_is_never_a_salvage_candidate()
    {
        var record = Created();
        record.Apply(new ReplicaAdded("r3", "node3", "disk", Replaces: null, Now));
        record.Apply(new ReplicaFailed("r3", "write: IoError", Now, ReplicaFault.IoError));
        Assert.Equal(ReplicaFault.Untrusted, record.Replicas.Single(r => r.Id == "r3").Fault);
        Assert.DoesNotContain(record.SalvageCandidates, r => r.Id == "r3");
        var restored = new VolumeRecord("vol");
        restored.Restore(record.ToSnapshot());
        Assert.Equal(record.Replicas, restored.Replicas);
    }

    [Fact]
    public void A_volume_created_from_a_backup_is_restoring_until_the_restore_ends_and_a_snapshot_keeps_that()
    {
        var record = new VolumeRecord("vol");
        record.Apply(Create(VolumeId) with { RestoringFrom = "backup-1" });
        record.Apply(new CreateCompleted(VolumeId));
        Assert.Equal("backup-1", record.RestoringFrom);
        var again = new VolumeRecord("vol");
        again.Restore(record.ToSnapshot());
        Assert.Equal("backup-1", again.RestoringFrom);
        record.Apply(new RestoreFinished("backup-1", Now));
        Assert.Null(record.RestoringFrom);
        Assert.Equal("restored", record.History[^1].Kind);
    }

    [Fact]
    public void A_standby_takes_backup_after_backup_and_is_an_ordinary_volume_once_activated()
    {
        var record = new VolumeRecord("vol");
        record.Apply(Create(VolumeId) with { RestoringFrom = "backup-1", Standby = true });
        record.Apply(new CreateCompleted(VolumeId));
        record.Apply(new RestoreFinished("backup-1", Now));
        Assert.Equal((null, true, "backup-1"), (record.RestoringFrom, record.Standby, record.AppliedBackup));
        record.Apply(new RestoreFinished("backup-2", Now));
        var again = new VolumeRecord("vol");
        again.Restore(record.ToSnapshot());
        Assert.Equal((true, "backup-2"), (again.Standby, again.AppliedBackup));
        record.Apply(new StandbyActivated(Now));
        Assert.False(record.Standby);
        Assert.Equal("activated", record.History[^1].Kind);
    }

    [Fact]
    public void A_new_record_does_not_exist()
    {
        var record = new VolumeRecord("vol");
        Assert.False(record.Exists);
        Assert.Equal("unknown", record.Robustness);
        Assert.Equal(0, record.Epoch);
    }

    [Fact]
    public void Create_makes_every_replica_read_write_and_the_volume_healthy()
    {
        var record = new VolumeRecord("vol");
        record.Apply(Create(VolumeId));
        Assert.True(record.Exists);
        Assert.False(record.CreateDone);
        Assert.Equal(VolumeId, record.Id);
        Assert.Equal(1L << 30, record.Size);
        Assert.Equal(3, record.ReplicaCount);
        Assert.Equal(Now, record.Created);
        Assert.Equal(["r0", "r1", "r2"], record.Replicas.Select(r => r.Id));
        Assert.All(record.Replicas, r => Assert.Equal(ReplicaMode.ReadWrite, r.Mode));
        Assert.Equal("healthy", record.Robustness);
        record.Apply(new CreateCompleted(VolumeId));
        Assert.True(record.CreateDone);
    }

    [Fact]
    public void A_failed_replica_is_error_and_the_volume_degraded()
    {
        var record = Created();
        record.Apply(new ReplicaFailed("r1", "write: IoError", Now));
        var failed = record.Replicas.Single(r => r.Id == "r1");
        Assert.Equal(ReplicaMode.Error, failed.Mode);
        Assert.Equal("write: IoError", failed.Failure);
        Assert.Equal(Now, failed.FailedAt);
        Assert.Equal("degraded", record.Robustness);
        Assert.Equal(["r0", "r2"], record.Healthy.Select(r => r.Id));
    }

    [Fact]
    public void A_second_failure_of_the_same_replica_keeps_the_first_reason()
    {
        var record = Created();
        record.Apply(new ReplicaFailed("r1", "first", Now));
        record.Apply(new ReplicaFailed("r1", "second", Now.AddMinutes(1)));
        Assert.Equal("first", record.Replicas.Single(r => r.Id == "r1").Failure);
    }

    [Fact]
    public void All_replicas_failed_is_faulted()
    {
        var record = Created();
        foreach (var id in new[] { "r0", "r1", "r2" }) record.Apply(new ReplicaFailed(id, "gone", Now));
        Assert.Equal("faulted", record.Robustness);
        Assert.Empty(record.Healthy);
    }

    [Fact]
    public void Attach_sets_node_and_epoch_and_detach_clears_the_node()
    {
        var record = Created();
        record.Apply(new Attached("node1", 1));
        Assert.Equal("node1", record.AttachedTo);
        Assert.Equal(1, record.Epoch);
        record.Apply(new EpochRaised(2));
        Assert.Equal(2, record.Epoch);
        record.Apply(new Detached());
        Assert.Null(record.AttachedTo);
        Assert.Equal(2, record.Epoch);
    }

    [Fact]
    public void Expand_changes_the_size_only_when_it_succeeded()
    {
        var record = Created();
        var failed = new OperationRequested(Guid.NewGuid(), OperationKind.Expand, null, 2L << 30, false, null);
        record.Apply(failed);
        Assert.Same(failed, record.Pending);
        Assert.Equal(1L << 30, record.Size);
        record.Apply(new OperationCompleted(failed.RequestId, false, "replica r1 refused"));
        Assert.Null(record.Pending);
        Assert.Equal(1L << 30, record.Size);

        var succeeded = failed with { RequestId = Guid.NewGuid() };
        record.Apply(succeeded);
        record.Apply(new OperationCompleted(succeeded.RequestId, true, null));
        Assert.Equal(2L << 30, record.Size);
    }

    [Fact]
    public void A_completed_snapshot_does_not_change_the_size()
    {
        var record = Created();
        var snapshot = new OperationRequested(Guid.NewGuid(), OperationKind.Snapshot, "s1", 0, true, new() { ["k"] = "v" });
        record.Apply(snapshot);
        record.Apply(new OperationCompleted(snapshot.RequestId, true, null));
        Assert.Equal(1L << 30, record.Size);
        Assert.Null(record.Pending);
    }

    [Fact]
    public void Delete_clears_the_record()
    {
        var record = Created();
        record.Apply(new Attached("node1", 1));
        record.Apply(new OperationRequested(Guid.NewGuid(), OperationKind.Delete, null, 0, false, null));
        record.Apply(new VolumeDeleted(VolumeId));
        Assert.False(record.Exists);
        Assert.False(record.CreateDone);
        Assert.Null(record.AttachedTo);
        Assert.Null(record.Pending);
        Assert.Empty(record.Replicas);
        Assert.Equal("unknown", record.Robustness);
    }

    [Fact]
    public void Re_create_after_delete_keeps_the_epoch_growing()
    {
        var record = Created();
        record.Apply(new Attached("node1", 5));
        record.Apply(new VolumeDeleted(VolumeId));
        var newId = Guid.NewGuid();
        record.Apply(Create(newId, replicas: 2));
        Assert.Equal(newId, record.Id);
        Assert.Equal(5, record.Epoch);
        Assert.Equal(["r0", "r1"], record.Replicas.Select(r => r.Id));
        Assert.Equal("healthy", record.Robustness);
    }

    [Fact]
    public void Replaying_the_same_events_gives_the_same_record()
    {
        IVolumeEvent[] events =
        [
            Create(VolumeId), new CreateCompleted(VolumeId), new Attached("n", 1), new ReplicaFailed("r2", "x", Now),
            new Detached(), new OperationRequested(VolumeId, OperationKind.Expand, null, 4L << 30, false, null),
            new OperationCompleted(VolumeId, true, null), new EpochRaised(2),
        ];
        var a = new VolumeRecord("vol");
        var b = new VolumeRecord("vol");
        foreach (var e in events) { a.Apply(e); b.Apply(e); }
        Assert.Equal((a.Size, a.Epoch, a.Robustness, a.AttachedTo), (b.Size, b.Epoch, b.Robustness, b.AttachedTo));
        Assert.Equal(a.Replicas, b.Replicas);
        Assert.Equal(4L << 30, a.Size);
    }

    [Fact]
    public void A_salvage_brings_the_source_and_the_reconciled_back_to_RW_and_a_failed_fsync_is_never_a_candidate()
    {
        var record = Created();
        record.Apply(new ReplicaFailed("r0", "write: TimedOut", Now, ReplicaFault.TimedOut));
        record.Apply(new ReplicaFailed("r1", "flush: Failed", Now, ReplicaFault.Untrusted));
        record.Apply(new ReplicaFailed("r2", "write: IoError", Now)); // written before the status was recorded
        Assert.True(record.Faulted);
        Assert.Equal("faulted", record.Robustness);
        Assert.Equal(["r0", "r2"], record.SalvageCandidates.Select(r => r.Id));

        record.Apply(new ReplicasSalvaged("r2", ["r0"], [new LeftOut("r1", "failed an fsync")], "r2 has the highest revision (4)", Now));
        Assert.False(record.Faulted);
        Assert.Equal("degraded", record.Robustness);
        Assert.Equal([ReplicaMode.ReadWrite, ReplicaMode.Error, ReplicaMode.ReadWrite], record.Replicas.Select(r => r.Mode));
        Assert.Null(record.Replicas[0].Failure);
        Assert.Equal("r2", record.LastSalvage!.Source);
    }

    [Fact]
    public void A_returning_replica_is_write_only_while_it_catches_up_then_read_write_and_its_history_says_so()
    {
        var record = Created();
        record.Apply(new ReplicaFailed("r1", "connection lost: IoError", Now, ReplicaFault.IoError));
        Assert.Null(record.Replicas.Single(r => r.Id == "r1").NoCatchUp);
        record.Apply(new ReplicaRejoined("r1", "s2", Now));
        Assert.Equal(ReplicaMode.WriteOnly, record.Replicas.Single(r => r.Id == "r1").Mode);
        record.Apply(new ReplicaCaughtUp("r1", 4 << 20, Now, "caught up"));
        Assert.Equal("healthy", record.Robustness);
        Assert.Equal(["replica-failed", "catch-up-started", "caught-up"], record.History.Select(h => h.Kind));
        Assert.Equal("node1", record.History[^1].Node);
    }

    [Theory]
    [InlineData(OperationKind.Snapshot)] // failed during a snapshot's drain: it may lack a write the snapshot has
    [InlineData(OperationKind.Purge)]
    public void A_replica_that_fails_during_an_operation_cannot_catch_up(OperationKind kind)
    {
        var record = Created();
        record.Apply(new OperationRequested(Guid.NewGuid(), kind, "s1", 0, true, null));
        record.Apply(new ReplicaFailed("r1", "snapshot: TimedOut", Now, ReplicaFault.TimedOut));
        record.Apply(new OperationCompleted(Guid.NewGuid(), true, null));
        Assert.Contains(kind.ToString(), record.Replicas.Single(r => r.Id == "r1").NoCatchUp);
        Assert.Contains(record.SalvageCandidates, r => r.Id == "r1"); // its data may still serve a salvage
    }

    [Fact]
    public void Snapshots_rewritten_while_a_replica_is_away_rule_out_its_catch_up_but_a_snapshot_taken_or_deleted_does_not()
    {
        var record = Created();
        record.Apply(new ReplicaFailed("r1", "connection lost: IoError", Now, ReplicaFault.IoError));
        record.Apply(new OperationRequested(Guid.NewGuid(), OperationKind.Snapshot, "s1", 0, true, null));
        record.Apply(new OperationCompleted(Guid.NewGuid(), true, null));
        record.Apply(new OperationRequested(Guid.NewGuid(), OperationKind.DeleteSnapshot, "s1", 0, false, null));
        record.Apply(new OperationCompleted(Guid.NewGuid(), true, null));
        Assert.Null(record.Replicas.Single(r => r.Id == "r1").NoCatchUp); // the catch-up marks s1 removed on it too
        record.Apply(new OperationRequested(Guid.NewGuid(), OperationKind.Purge, null, 0, false, null));
        record.Apply(new OperationCompleted(Guid.NewGuid(), true, null));
        Assert.Contains("Purge", record.Replicas.Single(r => r.Id == "r1").NoCatchUp);
        var restored = new VolumeRecord("vol");
        restored.Restore(record.ToSnapshot());
        Assert.Equal(record.Replicas, restored.Replicas);
    }

    [Fact]
    public void An_attachment_for_maintenance_is_kept_and_ends_with_the_detach()
    {
        var record = Created();
        record.Apply(new Attached("node0", 1, Maintenance: true));
        Assert.True(record.Maintenance);
        var restored = new VolumeRecord("vol");
        restored.Restore(record.ToSnapshot());
        Assert.True(restored.Maintenance);
        record.Apply(new Detached());
        Assert.False(record.Maintenance);
        Assert.Null(record.AttachedTo);
    }
}
