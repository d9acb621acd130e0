using ActorStore.EndToEnd.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Durability;

/// <summary>
/// SIGKILL the node at bad moments and restart it on the same directory. What was flushed before the kill
/// must read back; the volume, its replica set and its snapshots must be as they were (a command cut short
/// either happened or did not). Each test owns its node. The page cache survives SIGKILL, so these tests find
/// lost journal events and half-done commands, not missing fsyncs (src/Blocks' power-cut tests do that).
/// </summary>
public sealed class CrashTests(ITestOutputHelper output) : NodeTest(output)
{
    private const long Mib = TestData.MiB;

    [Fact]
    public async Task Flushed_data_survives_a_SIGKILL_while_a_writer_is_running()
    {
        var node = await StartNodeAsync(new NodeOptions { NodeId = "crash-io" });
        var name = TestData.VolumeName("crash-io");
        await node.Api.CreateAttachedAsync(name, 64 * Mib, 2);
        await NbdData.WriteAndFlushAsync(node.NbdUri(name), 0, 16 * Mib, seed: 11);
        await node.Api.SnapshotAsync(name, "before-kill");
        await NbdData.WriteAndFlushAsync(node.NbdUri(name), 16 * Mib, 8 * Mib, seed: 12);
        var before = await node.Api.GetVolumeAsync(name);

        await using (var writer = NbdData.StartEndlessWriter(node.NbdUri(name), 32 * Mib, 32 * Mib))
        {
            await Eventually.WaitUntilAsync(() => writer.StdOut.Contains("writing") || writer.HasExited,
                TimeSpan.FromSeconds(30), "the writer to have written (I/O in flight when the node dies)");
            Assert.False(writer.HasExited, $"the writer stopped before the kill:\n{writer.StdErr}");
            node.Kill();
        }

        await node.StartAgainAsync();
        await VolumeState.ReattachAsync(node.Api, name);
        await VolumeState.AssertSameVolumeAsync(node.Api, before);
        await VolumeState.AssertSnapshotsAsync(node.Api, name, ["before-kill"]);
        await NbdData.VerifyAsync(node.NbdUri(name), 0, 16 * Mib, seed: 11);
        await NbdData.VerifyAsync(node.NbdUri(name), 16 * Mib, 8 * Mib, seed: 12);
        // The unflushed range may hold either version of each block, but the same on every read.
        var first = await ReadHashAsync(node, name);
        Assert.Equal(first, await ReadHashAsync(node, name));
        // Both replicas hold the same bytes everywhere, the unflushed range included.
        Assert.Equal(0, await node.StopAsync());
        ReplicaComparison.AssertIdentical(before.Replicas.Select(r => r.Id).ToArray(), node.DataDir);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(40)]
    public async Task A_SIGKILL_during_a_snapshot_leaves_it_taken_or_not_and_the_data_intact(int killAfterMs)
    {
        var node = await StartNodeAsync(new NodeOptions { NodeId = "crash-snap" });
        var name = TestData.VolumeName("crash-snap");
        await node.Api.CreateAttachedAsync(name, 32 * Mib, 2);
        await NbdData.WriteAndFlushAsync(node.NbdUri(name), 0, 8 * Mib, seed: 21);
        await node.Api.SnapshotAsync(name, "kept");
        var before = await node.Api.GetVolumeAsync(name);

        var snapshot = node.Api.SnapshotAsync(name, "cut-short");
        await KillSoonAfterAsync(node, killAfterMs);
        await Swallow(snapshot);

        await node.StartAgainAsync();
        await VolumeState.ReattachAsync(node.Api, name);
        await VolumeState.AssertSameVolumeAsync(node.Api, before);
        var names = (await node.Api.ListSnapshotsAsync(name)).Where(s => !s.Removed).Select(s => s.Name).ToList();
        Out.WriteLine($"snapshots after the kill at +{killAfterMs} ms: {string.Join(", ", names)}");
        Assert.Contains("kept", names);
        Assert.True(names.Distinct().Count() == names.Count, "a snapshot is listed twice");
        await NbdData.VerifyAsync(node.NbdUri(name), 0, 8 * Mib, seed: 21);
        // The state is consistent enough to go on: another snapshot works.
        await node.Api.SnapshotAsync(name, "after-restart");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(40)]
    public async Task A_SIGKILL_during_a_purge_leaves_it_done_or_not_and_the_data_intact(int killAfterMs)
    {
        var node = await StartNodeAsync(new NodeOptions { NodeId = "crash-purge" });
        var name = TestData.VolumeName("crash-purge");
        await node.Api.CreateAttachedAsync(name, 32 * Mib, 2);
        await NbdData.WriteAndFlushAsync(node.NbdUri(name), 0, 8 * Mib, seed: 31);
        await node.Api.SnapshotAsync(name, "old");
        await NbdData.WriteAndFlushAsync(node.NbdUri(name), 4 * Mib, 8 * Mib, seed: 32);
        await node.Api.SnapshotAsync(name, "new");
        await node.Api.DeleteSnapshotAsync(name, "old");
        var before = await node.Api.GetVolumeAsync(name);

        var purge = node.Api.PurgeAsync(name);
        await KillSoonAfterAsync(node, killAfterMs);
        await Swallow(purge);

        await node.StartAgainAsync();
        await VolumeState.ReattachAsync(node.Api, name);
        await VolumeState.AssertSameVolumeAsync(node.Api, before);
        var snapshots = await node.Api.ListSnapshotsAsync(name);
        Out.WriteLine($"snapshots after the kill at +{killAfterMs} ms: {string.Join(", ", snapshots.Select(s => $"{s.Name}{(s.Removed ? " (removed)" : "")}"))}");
        Assert.Contains(snapshots, s => s.Name == "new" && !s.Removed);
        Assert.DoesNotContain(snapshots, s => s.Name == "old" && !s.Removed); // purged, or still marked removed
        await NbdData.VerifyAsync(node.NbdUri(name), 0, 4 * Mib, seed: 31);
        await NbdData.VerifyAsync(node.NbdUri(name), 4 * Mib, 8 * Mib, seed: 32);
        // Finishing the purge now leaves only "new".
        var remaining = await node.Api.PurgeAsync(name);
        Assert.DoesNotContain(remaining, s => s.Name == "old");
    }

    /// <summary>
    /// Kills the node a chosen few milliseconds after a command was sent. This delay is not a wait for a
    /// condition: it picks the instant of the crash, and the theory's cases spread it over the command.
    /// </summary>
    private static async Task KillSoonAfterAsync(NodeProcess node, int milliseconds)
    {
        if (milliseconds > 0) await Task.Delay(milliseconds);
        node.Kill();
    }

    /// <summary>The call the kill interrupted may succeed, fail or lose its connection; any outcome is allowed.</summary>
    private static async Task Swallow(Task call)
    {
        try
        {
            await call;
        }
        catch (Exception ex) when (ex is HttpRequestException or ApiException or TaskCanceledException or IOException)
        {
            // Expected: the node died under the request.
        }
    }

    private static async Task<string> ReadHashAsync(NodeProcess node, string name)
    {
        var result = (await NbdSh.RunAsync(node.NbdUri(name), """
            import hashlib
            d = hashlib.sha256()
            for off in range(32 << 20, 64 << 20, 1 << 20):
                d.update(h.pread(1 << 20, off))
            print("sha", d.hexdigest())
            """)).EnsureSuccess();
        return result.StdOut.Trim();
    }
}
