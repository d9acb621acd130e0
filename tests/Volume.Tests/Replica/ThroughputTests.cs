using System.Diagnostics;
using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;
using ActorStore.Volume.Replicas;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>
/// Prints rough throughput of the socket path against the in-process path on the same replica, so the
/// numbers can be quoted. Nothing is asserted about speed: timing on shared CI machines proves nothing.
/// </summary>
[Collection(Measured.Name)]
public sealed class ThroughputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Socket_and_local_writes_and_reads_per_second_are_printed()
    {
        await using var bed = new ReplicaBed();
        await bed.StartServerAsync();
        await using var socket = await bed.ConnectOkAsync(1);
        var (status, local) = LocalReplicaChannel.Open(bed.Replica, 1);
        Assert.Equal(ReplicaStatus.Ok, status);
        // Every block written once first: both paths then measure overwrites, not ext4 allocating blocks
        // (whichever ran first would pay for that).
        Assert.Equal(ReplicaStatus.Ok, bed.Replica.Write(0, new byte[ReplicaBed.DefaultSize]));
        foreach (var (size, depth, count, write) in new[] { (4096, 16, 20_000, true), (4096, 16, 20_000, false), (1 << 20, 4, 400, true), (1 << 20, 4, 400, false), (4096, 1, 5_000, true), (4096, 1, 5_000, false) })
        {
            var viaSocket = await MeasureAsync(socket, size, depth, count, write);
            var viaLocal = await MeasureAsync(local!, size, depth, count, write);
            output.WriteLine($"{(write ? "write" : "read "),-5} {size / 1024,5} KiB qd{depth,-2}: socket {viaSocket,9:N0}/s ({viaSocket * size / 1e6,6:N0} MB/s)  local {viaLocal,9:N0}/s ({viaLocal * size / 1e6,6:N0} MB/s)  socket/local {viaSocket / viaLocal:F2}");
        }
    }

    private static async Task<double> MeasureAsync(IReplicaChannel channel, int size, int depth, int count, bool write)
    {
        var perWorker = count / depth;
        await RunAsync(channel, size, depth, Math.Max(1, perWorker / 4), write); // warm-up (and the JIT's tiers: the first loop otherwise measures unoptimised code)
        var watch = Stopwatch.StartNew();
        await RunAsync(channel, size, depth, perWorker, write);
        return perWorker * depth / watch.Elapsed.TotalSeconds;
    }

    private static Task RunAsync(IReplicaChannel channel, int size, int depth, int perWorker, bool write) =>
        Task.WhenAll(Enumerable.Range(0, depth).Select(w => Task.Run(async () =>
        {
            var buffer = new byte[size];
            Array.Fill(buffer, (byte)w);
            var slots = (int)(ReplicaBed.DefaultSize / size / depth);
            for (var i = 0; i < perWorker; i++)
            {
                var offset = ((long)(i % slots) * depth + w) * size;
                var result = write ? await channel.WriteAsync(offset, buffer) : await channel.ReadAsync(offset, buffer);
                if (result != ReplicaStatus.Ok) throw new InvalidOperationException($"{result}");
            }
        })));
}
