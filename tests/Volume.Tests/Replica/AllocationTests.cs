using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;
using ActorStore.Volume.Replicas;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>Tests that measure the whole process (allocation, throughput) run alone, not beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Measured
{
    public const string Name = "measured, alone";
}

/// <summary>The data path allocates nothing per request (STYLE: storage and I/O code), measured, not assumed.</summary>
[Collection(Measured.Name)]
public sealed class AllocationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_socket_path_allocates_almost_nothing_per_request_client_and_server_together()
    {
        await using var bed = new ReplicaBed();
        await bed.StartServerAsync();
        await using var channel = await bed.ConnectOkAsync(1);
        const int workers = 8, warmup = 250, rounds = 1250; // 8 × 1250 × (write + read) = 20,000 requests
        var buffers = Enumerable.Range(0, workers).Select(w => (Out: Enumerable.Repeat((byte)(w + 1), 4096).ToArray(), In: new byte[4096])).ToArray();
        await RunAsync(channel, buffers, warmup); // pools, queues and tables reach their steady size

        var before = GC.GetTotalAllocatedBytes(precise: true);
        await RunAsync(channel, buffers, rounds);
        var perRequest = (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / (workers * rounds * 2);

        output.WriteLine($"socket channel + server: {perRequest:F1} bytes allocated per 4 KiB request ({workers} in flight)");
        Assert.True(perRequest < 100, $"{perRequest:F1} bytes per request");
        foreach (var (o, i) in buffers) Assert.Equal(o, i); // and the reads were real
    }

    private static async Task RunAsync(IReplicaChannel channel, (byte[] Out, byte[] In)[] buffers, int rounds)
    {
        var tasks = new Task[buffers.Length];
        for (var w = 0; w < buffers.Length; w++) tasks[w] = WorkerAsync(channel, w, buffers[w].Out, buffers[w].In, rounds);
        await Task.WhenAll(tasks);
    }

    private static async Task WorkerAsync(IReplicaChannel channel, int worker, byte[] data, byte[] back, int rounds)
    {
        await Task.Yield();
        for (var i = 0; i < rounds; i++)
        {
            var offset = ((long)i % 512 * 8 + worker) * 4096;
            if (await channel.WriteAsync(offset, data) != ReplicaStatus.Ok) throw new InvalidOperationException("write failed");
            if (await channel.ReadAsync(offset, back) != ReplicaStatus.Ok) throw new InvalidOperationException("read failed");
        }
    }

    /// <summary>
    /// Requests that may wait on the disk run as pooled work items on the pool (so a hung disk never holds the
    /// caller): measured on the whole process, since they complete on other threads.
    /// </summary>
    [Fact]
    public async Task The_local_path_allocates_nothing()
    {
        await using var bed = new ReplicaBed();
        var (status, channel) = LocalReplicaChannel.Open(bed.Replica, 1);
        Assert.Equal(ReplicaStatus.Ok, status);
        var block = new byte[4096];
        var extents = new List<AllocationExtent>(16);
        Assert.Equal(0, await RoundsAsync(channel!, block, extents, 500)); // warm up: blocks, pools, JIT tiers
        const int rounds = 5000;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        Assert.Equal(0, await RoundsAsync(channel!, block, extents, rounds));
        var perRequest = (GC.GetTotalAllocatedBytes(precise: true) - before) / (3.0 * rounds);
        output.WriteLine($"{perRequest:0.00} bytes per request on the whole process");
        // Under 8: the rest of the process (timers, the runtime's own work) allocates a little meanwhile.
        Assert.True(perRequest < 8, $"{perRequest:0.00} bytes allocated per request");
    }

    // No assertion inside: xunit's comparers allocate.
    private static async Task<int> RoundsAsync(IReplicaChannel channel, byte[] block, List<AllocationExtent> extents, int rounds)
    {
        var failed = 0;
        for (var i = 0; i < rounds; i++)
        {
            long offset = i % 1000 * 4096L;
            if (await channel.WriteAsync(offset, block) != ReplicaStatus.Ok) failed++;
            if (await channel.ReadAsync(offset, block) != ReplicaStatus.Ok) failed++;
            // Not write-zeroes or trim: the replica store itself allocates a little for those (its lower-extent list).
            extents.Clear();
            if (await channel.GetAllocationAsync(offset, 4096, extents) != ReplicaStatus.Ok) failed++;
        }
        return failed;
    }
}
