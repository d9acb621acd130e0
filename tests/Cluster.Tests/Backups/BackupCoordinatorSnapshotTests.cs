using ActorStore.Cluster.Backups;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.Cluster.Backups.BackupProtocol;

namespace ActorStore.Cluster.Tests.Backups;

/// <summary>The backup coordinator recovers from its last snapshot alone (one after every event here): the target comes back, credentials too.</summary>
public sealed class BackupCoordinatorSnapshotTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(InMemoryPersistence.Config, output)
{
    [Fact]
    public async Task The_target_comes_back_from_the_snapshot()
    {
        IActorRef Start(string name) => Sys.ActorOf(BackupCoordinator.Props(CreateTestProbe(), CreateTestProbe(), TimeSpan.FromSeconds(3),
            TimeSpan.FromSeconds(60), TimeSpan.FromHours(1), snapshotEvery: 1), name);
        var first = Start("backups-1");
        await first.Ask<TargetView>(new SetTarget("dir:///srv/one", null, null), RemainingOrDefault);
        var set = await first.Ask<TargetView>(new SetTarget("s3://bucket/prefix?endpoint=http://127.0.0.1:4569", "KEY", "SECRET"), RemainingOrDefault);
        // The snapshot of the last event is saved after its handler: recovery must start from it, with no event to replay.
        var store = Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        await AwaitAssertAsync(async () =>
        {
            var loaded = await store.Ask<Akka.Persistence.LoadSnapshotResult>(
                new Akka.Persistence.LoadSnapshot("backups", Akka.Persistence.SnapshotSelectionCriteria.Latest, long.MaxValue), RemainingOrDefault);
            Assert.Equal(2, loaded.Snapshot?.Metadata.SequenceNr);
        });
        Watch(first);
        first.Tell(PoisonPill.Instance);
        ExpectTerminated(first);

        var again = Start("backups-2");
        Assert.Equal(set, await again.Ask<TargetView>(new GetTarget(), RemainingOrDefault));
        Assert.Empty((await again.Ask<Runs>(new ListRuns(), RemainingOrDefault)).Items);
    }
}
