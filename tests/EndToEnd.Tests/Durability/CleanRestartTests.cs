using ActorStore.EndToEnd.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Durability;

/// <summary>SIGTERM is a clean stop (exit 0); after a restart on the same data directory nothing is lost.</summary>
public sealed class CleanRestartTests(ITestOutputHelper output) : NodeTest(output)
{
    [Fact]
    public async Task Data_and_snapshots_survive_a_clean_stop_and_restart()
    {
        var node = await StartNodeAsync(new NodeOptions { NodeId = "clean-1" });
        var name = TestData.VolumeName("clean");
        await node.Api.CreateAttachedAsync(name, 64 * TestData.MiB, 2);
        await NbdData.WriteAndFlushAsync(node.NbdUri(name), 0, 8 * TestData.MiB, seed: 1);
        await node.Api.SnapshotAsync(name, "first");
        await NbdData.WriteAndFlushAsync(node.NbdUri(name), 4 * TestData.MiB, 8 * TestData.MiB, seed: 2);
        var before = await node.Api.GetVolumeAsync(name);

        await node.RestartAsync();

        await VolumeState.ReattachAsync(node.Api, name);
        await VolumeState.AssertSameVolumeAsync(node.Api, before);
        await VolumeState.AssertSnapshotsAsync(node.Api, name, ["first"]);
        await NbdData.VerifyAsync(node.NbdUri(name), 0, 4 * TestData.MiB, seed: 1);
        await NbdData.VerifyAsync(node.NbdUri(name), 4 * TestData.MiB, 8 * TestData.MiB, seed: 2);
    }
}
