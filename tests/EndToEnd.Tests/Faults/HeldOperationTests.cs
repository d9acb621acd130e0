using System.Diagnostics;
using System.Net;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Faults;

/// <summary>
/// DESIGN §2: the controller never stashes everything behind one long operation. A snapshot held for a minute
/// by a replica whose disk is frozen runs while volume show and list answer within a second, and a detach is
/// answered and done.
/// </summary>
public sealed class HeldOperationTests(ITestOutputHelper output) : NodeTest(output)
{
    private const long MiB = TestData.MiB;

    [Fact]
    public async Task Show_list_and_detach_are_answered_while_a_snapshot_is_held_by_a_frozen_disk()
    {
        var bed = Own(await LoopDiskNode.StartAsync("held", o => StartNodeAsync(o), config: "actorstore.volume.replica-command-timeout = 120s\n"));
        var api = bed.Node.Api;
        var name = TestData.VolumeName("held");
        var volume = await api.CreateAttachedAsync(name, 64 * MiB, 2);
        await NbdData.WriteAndFlushAsync(bed.Node.NbdUri(name), 0, 4 * MiB, seed: 5);

        var frozen = bed.DiskOf(volume.Replicas[0]);
        frozen.Freeze();
        Task<ApiResponse> snapshot;
        try
        {
            snapshot = api.SendJsonAsync(HttpMethod.Post, $"/volumes/{name}/snapshots", new CreateSnapshot("held"));
            await Eventually.WaitUntilAsync(async () => (await api.GetVolumeAsync(name)).Activity == "snapshot", TimeSpan.FromSeconds(10), "the snapshot to run");
            var slowest = TimeSpan.Zero;
            var calls = 0;
            for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(60); calls++)
            {
                var call = Stopwatch.StartNew();
                var shown = await api.GetVolumeAsync(name);
                slowest = call.Elapsed > slowest ? call.Elapsed : slowest;
                call.Restart();
                await api.ListVolumesAsync();
                slowest = call.Elapsed > slowest ? call.Elapsed : slowest;
                Assert.Equal("snapshot", shown.Activity); // still held (the gateway's own answer gave up after its ask timeout)
                await Task.Delay(250); // as an operator's watch would ask, not a flood
            }
            Out.WriteLine($"measured: slowest of {calls} shows and lists while the snapshot was held: {slowest.TotalMilliseconds:0} ms");
            Assert.True(slowest < TimeSpan.FromSeconds(1), $"a show or list took {slowest.TotalMilliseconds:0} ms");

            // Another change is refused at once, naming what runs, instead of waiting behind it.
            var second = await api.SendJsonAsync(HttpMethod.Post, $"/volumes/{name}/snapshots", new CreateSnapshot("second"));
            Assert.Equal(HttpStatusCode.Conflict, second.Status);
            Assert.Contains($"volume '{name}' is busy (snapshot)", second.Body);

            var detaching = Stopwatch.StartNew();
            var detached = await api.DetachAsync(name);
            Out.WriteLine($"measured: detach during the held snapshot: {detaching.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal(VolumeStates.Detached, detached.State);
            Assert.Equal("snapshot", detached.Activity);
        }
        finally
        {
            frozen.Thaw();
        }
        var answered = await snapshot.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(answered.Status == HttpStatusCode.GatewayTimeout, $"the request waited past the gateway's ask timeout: {answered}");
        await Eventually.WaitUntilAsync(async () => (await api.GetVolumeAsync(name)).Activity is null, TimeSpan.FromSeconds(60), "the snapshot to finish after the thaw");
    }
}
