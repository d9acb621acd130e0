using ActorStore.EndToEnd.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Names;

/// <summary>
/// Every name validation accepts works (DESIGN §9): found by trying it, volume names of 54–63 characters
/// were accepted and then failed, because the replica id made from them was longer than a name may be.
/// </summary>
[Collection(SharedNodeCollection.Name)]
public sealed class LongNameTests(SharedNodeFixture fixture, ITestOutputHelper output) : NodeTest(output)
{
    private readonly NodeProcess _node = fixture.Node;

    public override Task InitializeAsync()
    {
        Watch(_node);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_volume_and_a_snapshot_with_63_character_names_work_end_to_end()
    {
        var name = ("long-" + Guid.NewGuid().ToString("N") + new string('x', 63))[..63];
        var snapshot = new string('s', 63);
        var volume = await _node.Api.CreateAttachedAsync(name, 16 * TestData.MiB, 2);
        Assert.Equal(63, volume.Name.Length);
        Assert.All(volume.Replicas, r => Assert.True(r.Id.Length <= 63, r.Id));
        Assert.Equal(2, volume.Replicas.Select(r => r.Id).Distinct().Count());

        var uri = _node.NbdUri(name);
        await QemuIo.RunAsync(uri, "write -P 0x5e 0 1M", "flush");
        await _node.Api.SnapshotAsync(name, snapshot);
        await QemuIo.RunAsync(uri, "write -P 0x6f 0 1M", "read -P 0x6f 0 1M");
        Assert.Contains(await _node.Api.ListSnapshotsAsync(name), s => s.Name == snapshot);

        await _node.Api.DetachAsync(name);
        await _node.Api.RevertAsync(name, snapshot);
        await _node.Api.AttachAsync(name);
        await QemuIo.RunAsync(uri, "read -P 0x5e 0 1M");
        await _node.Api.DetachAsync(name);
        await _node.Api.DeleteVolumeAsync(name);
    }
}
