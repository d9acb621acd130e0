using ActorStore.EndToEnd.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Snapshots;

/// <summary>Snapshots and revert through the REST API, with the data checked through a real client.</summary>
[Collection(SharedNodeCollection.Name)]
public sealed class SnapshotApiTests(SharedNodeFixture fixture, ITestOutputHelper output) : NodeTest(output)
{
    private readonly NodeProcess _node = fixture.Node;

    public override Task InitializeAsync()
    {
        Watch(_node);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Revert_to_a_snapshot_reads_its_data_and_keeps_the_later_snapshot()
    {
        var name = TestData.VolumeName("revert");
        await _node.Api.CreateAttachedAsync(name, 64 * TestData.MiB, 2);
        var uri = _node.NbdUri(name);
        await QemuIo.RunAsync(uri, "write -P 0xaa 0 1M", "write -P 0xaa 40M 4k", "flush");
        await _node.Api.SnapshotAsync(name, "with-a");
        await QemuIo.RunAsync(uri, "write -P 0xbb 0 1M", "write -P 0xbb 50M 4k", "flush");
        await _node.Api.SnapshotAsync(name, "with-b");

        await _node.Api.DetachAsync(name);
        await _node.Api.RevertAsync(name, "with-a");
        var volume = await _node.Api.AttachAsync(name);

        await QemuIo.RunAsync(volume.Endpoint ?? uri, "read -P 0xaa 0 1M", "read -P 0xaa 40M 4k", "read -P 0 50M 4k");
        var snapshots = await _node.Api.ListSnapshotsAsync(name);
        Assert.Contains(snapshots, s => s.Name == "with-a" && !s.Removed);
        Assert.Contains(snapshots, s => s.Name == "with-b" && !s.Removed);
    }

    [Fact]
    public async Task Reusing_the_name_of_a_deleted_snapshot_before_the_purge_is_409_saying_to_purge()
    {
        var name = TestData.VolumeName("reuse");
        await _node.Api.CreateAttachedAsync(name, 16 * TestData.MiB, 2);
        await _node.Api.SnapshotAsync(name, "s1");
        await _node.Api.DeleteSnapshotAsync(name, "s1");
        var again = await _node.Api.SendAsync(HttpMethod.Post, $"/volumes/{name}/snapshots", "{\"name\":\"s1\"}");
        Assert.Equal(System.Net.HttpStatusCode.Conflict, again.Status);
        Assert.Contains("not purged", again.Problem!.Detail);
        Assert.Contains($"pbm snapshot purge {name}", again.Problem.Detail);

        await _node.Api.SnapshotAsync(name, "s2"); // s1 is no longer right below the live data: the purge removes it
        await _node.Api.DeleteSnapshotAsync(name, "s2");
        await _node.Api.PurgeAsync(name);
        await _node.Api.SnapshotAsync(name, "s1");
    }
}
