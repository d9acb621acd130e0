using ActorStore.Blocks.Devices;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>A failed fsync fails the replica for good: Linux may have dropped the dirty pages (DESIGN §3).</summary>
public sealed class FsyncFailureTests
{
    [Theory]
    [InlineData("volume-head-")]
    [InlineData("dirty.log")]
    [InlineData(".meta.tmp")]
    public void After_a_failed_fsync_every_operation_answers_failed(string failingFile)
    {
        var fs = new SimulatedFileSystem();
        fs.CreateDirectory("/sim");
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(fs, "/sim/r", new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 1 << 20, out var r));
        Assert.Equal(ReplicaStatus.Ok, r!.Write(0, new byte[] { 1 }));
        fs.FailFsync = path => path.Contains(failingFile);
        var first = failingFile == ".meta.tmp" ? r.Snapshot("s") : r.Flush();
        Assert.Equal(ReplicaStatus.Failed, first);
        Assert.True(r.IsFailed);
        Assert.Equal(ReplicaStatus.Failed, r.Write(0, new byte[] { 2 }));
        Assert.Equal(ReplicaStatus.Failed, r.Read(0, new byte[1]));
        Assert.Equal(ReplicaStatus.Failed, r.Flush());
        Assert.Equal(ReplicaStatus.Failed, r.Snapshot("t"));
        r.Dispose();
        // Recorded on disk: after a restart the replica is still not trusted (never salvaged, only rebuilt).
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, "/sim/r", out var again));
        using (again)
        {
            Assert.True(again!.IsFailed);
            Assert.Equal(ReplicaStatus.Failed, again.AcceptEpoch(2));
        }
    }

    [Fact]
    public void A_failed_fsync_of_the_spare_while_a_snapshot_is_deleted_fails_the_replica()
    {
        var fs = new SimulatedFileSystem();
        fs.CreateDirectory("/sim");
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(fs, "/sim/r", new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 1 << 20, out var r));
        using (r)
        {
            Assert.Equal(ReplicaStatus.Ok, r!.Snapshot("s"));
            fs.FailFsync = path => path.EndsWith("meta.spare", StringComparison.Ordinal);
            Assert.Equal(ReplicaStatus.Failed, r.DeleteSnapshot("s"));
            Assert.True(r.IsFailed);
        }
    }
}
