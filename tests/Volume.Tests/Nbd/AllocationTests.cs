using System.Buffers.Binary;
using ActorStore.Volume.Frontend.Nbd;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Volume.Tests.Nbd;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    /// <summary>Runs alone: the allocation counter is process-wide, other tests would pollute it.</summary>
    public const string Name = "allocation (runs alone)";
}

/// <summary>The hot path allocates nothing per request (pooled buffers and work items, no closures or state machines).</summary>
[Collection(AllocationCollection.Name)]
public sealed class AllocationTests(ITestOutputHelper output)
{
    private const int Batch = 16;        // requests in flight per round trip: half 4 KiB writes, half 4 KiB reads
    private const int BlockBytes = 4096;
    private const ulong ReadCookie = 1ul << 63;

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // reads answered from the cache on the connection's thread
    public async Task Requests_allocate_less_than_64_bytes_each_on_the_whole_process(bool cachedReads)
    {
        await using var server = await TestServer.StartAsync(size: 1 << 20);
        server.Volume.CachedReads = cachedReads;
        using var client = RawClient.Open(server.Endpoint);
        var requests = BuildBatch();
        var reply = new byte[BlockBytes];
        var header = new byte[16];

        RunBatches(client, requests, header, reply, 500); // warm up: blocks, pools, JIT tiers
        const int rounds = 20_000 / Batch;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        RunBatches(client, requests, header, reply, rounds);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        double perRequest = (double)allocated / (rounds * Batch);
        output.WriteLine($"{rounds * Batch} requests, {allocated} bytes allocated in the process, {perRequest:F2} bytes per request");
        Assert.True(perRequest < 64, $"{perRequest:F1} bytes allocated per request");
        Assert.Equal(cachedReads, server.Volume.CachedReadCalls > 0);
    }

    private static byte[] BuildBatch()
    {
        var bytes = new byte[Batch / 2 * (28 + BlockBytes) + Batch / 2 * 28];
        int at = 0;
        for (int i = 0; i < Batch / 2; i++)
        {
            at += RawClient.EncodeRequest(bytes.AsSpan(at), NbdConstants.CmdWrite, 0, (ulong)i, (ulong)(i * BlockBytes), BlockBytes);
            bytes.AsSpan(at, BlockBytes).Fill((byte)(i + 1));
            at += BlockBytes;
            at += RawClient.EncodeRequest(bytes.AsSpan(at), NbdConstants.CmdRead, 0, ReadCookie | (uint)i, (ulong)((i + 8) * BlockBytes), BlockBytes);
        }

        return bytes;
    }

    // Synchronous socket calls: the client side allocates nothing either.
    private static void RunBatches(RawClient client, byte[] requests, byte[] header, byte[] reply, int rounds)
    {
        for (int round = 0; round < rounds; round++)
        {
            client.Send(requests);
            for (int i = 0; i < Batch; i++)
            {
                client.ReceiveInto(header);
                if (BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)) != 0)
                {
                    throw new InvalidOperationException("request failed");
                }

                if ((BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8)) & ReadCookie) != 0)
                {
                    client.ReceiveInto(reply);
                }
            }
        }
    }

    [Fact]
    public async Task A_burst_of_512_reads_from_the_cache_allocates_less_than_64_bytes_each()
    {
        // The read loop answers cached reads itself; it must send as it goes, not hold a work item and a
        // buffer for every read of a long burst until the burst is parsed.
        const int burst = 512;
        await using var server = await TestServer.StartAsync(size: 4 << 20);
        server.Volume.CachedReads = true;
        using var client = RawClient.Open(server.Endpoint);
        var requests = new byte[burst * 28];
        for (int i = 0; i < burst; i++)
        {
            RawClient.EncodeRequest(requests.AsSpan(i * 28), NbdConstants.CmdRead, 0, (ulong)i, (ulong)(i % 1024 * BlockBytes), BlockBytes);
        }

        var header = new byte[16];
        var reply = new byte[BlockBytes];
        void Run(int rounds)
        {
            for (int round = 0; round < rounds; round++)
            {
                client.Send(requests);
                for (int i = 0; i < burst; i++)
                {
                    client.ReceiveInto(header);
                    client.ReceiveInto(reply);
                }
            }
        }

        Run(20); // warm up
        const int measured = 40;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        Run(measured);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        double perRequest = (double)allocated / (measured * burst);
        output.WriteLine($"{measured * burst} reads in bursts of {burst}: {perRequest:F2} bytes allocated per request");
        Assert.True(perRequest < 64, $"{perRequest:F1} bytes allocated per request");
        Assert.True(server.Volume.CachedReadCalls >= measured * burst);
    }
}
