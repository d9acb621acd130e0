using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;
using ActorStore.Volume.Replicas;
using Xunit;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>
/// What every <see cref="IReplicaChannel"/> does, run against each implementation (local and socket) on a
/// real replica: the channel must answer exactly what the replica itself answers.
/// </summary>
public abstract class ReplicaChannelContract : IAsyncLifetime
{
    protected const long Size = 64 << 20;
    private const int Seed = 20261125;
    private readonly Random _random = new(Seed);

    protected ReplicaBed Bed { get; } = new(Size);

    protected IReplicaChannel Channel { get; private set; } = null!;

    protected abstract Task<IReplicaChannel> OpenAsync(ReplicaBed bed, long epoch);

    public async Task InitializeAsync() => Channel = await OpenAsync(Bed, 2);

    public async Task DisposeAsync()
    {
        await Channel.DisposeAsync();
        await Bed.DisposeAsync();
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private async Task<byte[]> ReadAsync(long offset, int length)
    {
        var buffer = new byte[length];
        Assert.Equal(ReplicaStatus.Ok, await Channel.ReadAsync(offset, buffer));
        return buffer;
    }

    private async Task<List<AllocationExtent>> AllocationAsync(long offset, long length)
    {
        var extents = new List<AllocationExtent>();
        Assert.Equal(ReplicaStatus.Ok, await Channel.GetAllocationAsync(offset, length, extents));
        return extents;
    }

    [Fact]
    public async Task Writes_read_back_in_sizes_from_one_block_to_one_mebibyte()
    {
        Assert.Equal(ReplicaBed.ReplicaName, Channel.ReplicaId);
        foreach (var (offset, length) in new[] { (0L, 4096), (1L << 20, 1 << 20), (Size - 65536, 65536), (8L << 20, 12288) })
        {
            var data = RandomBytes(length);
            Assert.Equal(ReplicaStatus.Ok, await Channel.WriteAsync(offset, data));
            Assert.Equal(data, await ReadAsync(offset, length));
            var direct = new byte[length];
            Assert.Equal(ReplicaStatus.Ok, Bed.Replica.Read(offset, direct)); // it is on the replica, not just echoed
            Assert.Equal(data, direct);
        }
    }

    [Fact]
    public async Task A_cached_read_is_served_only_in_process_and_gives_what_a_read_gives()
    {
        var data = RandomBytes(65536);
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteAsync(4096 + 512, data));
        var cached = new byte[data.Length];
        // Just written, so in the page cache: a local channel serves it, a socket never can.
        Assert.Equal(Channel.IsLocal, Channel.TryReadCached(4096 + 512, cached));
        if (Channel.IsLocal) Assert.Equal(data, cached);
        Assert.False(Channel.TryReadCached(Size - 4096, new byte[8192])); // past the end: left to ReadAsync to refuse
    }

    [Fact]
    public async Task Unaligned_writes_change_exactly_their_bytes()
    {
        var expected = RandomBytes(8 * 4096);
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteAsync(0, expected));
        Assert.Equal(ReplicaStatus.Ok, Bed.Replica.Snapshot("base")); // sub-block writes now copy up from below
        foreach (var (offset, length) in new[] { (123, 1000), (4000, 200), (4096 * 3 + 1, 4096 * 2 + 7), (32767, 1) })
        {
            var data = RandomBytes(length);
            data.CopyTo(expected, offset);
            Assert.Equal(ReplicaStatus.Ok, await Channel.WriteAsync(offset, data));
            Assert.Equal(data, await ReadAsync(offset, length));
        }
        Assert.Equal(expected, await ReadAsync(0, expected.Length));
        Assert.Equal(expected.AsSpan(77, 5000).ToArray(), await ReadAsync(77, 5000)); // unaligned read
    }

    [Fact]
    public async Task Write_zeroes_reads_as_zeros_over_lower_layers_and_allocate_keeps_blocks()
    {
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteAsync(0, RandomBytes(16 * 4096)));
        Assert.Equal(ReplicaStatus.Ok, Bed.Replica.Snapshot("base"));
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteZeroesAsync(4096, 3 * 4096, allocate: false)); // over the snapshot
        Assert.Equal(new byte[3 * 4096], await ReadAsync(4096, 3 * 4096));

        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteAsync(1 << 20, RandomBytes(8 * 4096)));
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteZeroesAsync(1 << 20, 4 * 4096, allocate: false)); // head only: punched
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteZeroesAsync((1 << 20) + 4 * 4096, 4 * 4096, allocate: true)); // stays allocated
        Assert.Equal(new byte[8 * 4096], await ReadAsync(1 << 20, 8 * 4096));
        Assert.Equal(
            [new AllocationExtent(1 << 20, 4 * 4096, true), new AllocationExtent((1 << 20) + 4 * 4096, 4 * 4096, false)],
            await AllocationAsync(1 << 20, 8 * 4096));
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteZeroesAsync(100, 50, allocate: false)); // partial block
        Assert.Equal(new byte[50], await ReadAsync(100, 50));
    }

    [Fact]
    public async Task Trim_discards_only_what_nothing_below_holds()
    {
        var below = RandomBytes(4 * 4096);
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteAsync(0, below));
        Assert.Equal(ReplicaStatus.Ok, Bed.Replica.Snapshot("base"));
        Assert.Equal(ReplicaStatus.Ok, await Channel.TrimAsync(0, 4 * 4096));
        Assert.Equal(below, await ReadAsync(0, below.Length)); // a hint: the snapshot's data still shows

        var head = RandomBytes(4 * 4096);
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteAsync(1 << 20, head));
        Assert.Equal(ReplicaStatus.Ok, await Channel.TrimAsync((1 << 20) + 4096, 2 * 4096 + 100)); // two whole blocks and a partial one
        var after = await ReadAsync(1 << 20, head.Length);
        Assert.Equal(head.AsSpan(0, 4096).ToArray(), after[..4096]);
        Assert.Equal(new byte[2 * 4096], after[4096..(3 * 4096)]);
        Assert.Equal(head.AsSpan(3 * 4096).ToArray(), after[(3 * 4096)..]);
    }

    [Fact]
    public async Task Flush_makes_writes_durable_and_advances_the_revision()
    {
        var revision = Bed.Replica.Revision;
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteAsync(4096, RandomBytes(4096)));
        Assert.Equal(ReplicaStatus.Ok, await Channel.FlushAsync());
        Assert.True(Bed.Replica.Revision > revision);
    }

    [Fact]
    public async Task Allocation_lists_data_and_holes_of_the_merged_chain()
    {
        Assert.Equal([new AllocationExtent(0, Size, true)], await AllocationAsync(0, Size));
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteAsync(10 * 4096, RandomBytes(3 * 4096)));
        Assert.Equal(ReplicaStatus.Ok, Bed.Replica.Snapshot("base"));
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteAsync(13 * 4096, RandomBytes(4096)));
        Assert.Equal(
            [new AllocationExtent(0, 10 * 4096, true), new AllocationExtent(10 * 4096, 4 * 4096, false), new AllocationExtent(14 * 4096, 6 * 4096, true)],
            await AllocationAsync(0, 20 * 4096));
        var into = new List<AllocationExtent> { new(-1, 1, true) }; // appended to, as the replica does
        Assert.Equal(ReplicaStatus.Ok, await Channel.GetAllocationAsync(12 * 4096, 4096, into));
        Assert.Equal([new AllocationExtent(-1, 1, true), new AllocationExtent(12 * 4096, 4096, false)], into);
    }

    [Fact]
    public async Task A_snapshot_layer_is_read_and_a_staged_layer_written_as_the_replica_does()
    {
        var data = RandomBytes(3 << 20);
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteAsync(1 << 20, data));
        Assert.Equal(ReplicaStatus.Ok, Bed.Replica.Snapshot("s1"));
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteAsync(1 << 20, RandomBytes(4096))); // the head's, not the layer's
        var extents = new List<AllocationExtent>();
        Assert.Equal(ReplicaStatus.Ok, await Channel.GetLayerExtentsAsync("s1", 0, Size, extents));
        Assert.Equal([new AllocationExtent(1 << 20, 3 << 20, IsHole: false)], extents);
        var back = new byte[3 << 20];
        Assert.Equal(ReplicaStatus.Ok, await Channel.ReadLayerAsync("s1", 1 << 20, back));
        Assert.Equal(data, back);
        Assert.Equal(ReplicaStatus.NotFound, await Channel.ReadLayerAsync("nope", 0, new byte[4096]));
        Assert.Equal(ReplicaStatus.InvalidName, await Channel.ReadLayerAsync("Bad Name", 0, new byte[4096]));
        Assert.Equal(ReplicaStatus.OutOfRange, await Channel.ReadLayerAsync("s1", Size, new byte[4096]));

        // The same bytes staged as another layer of a rebuilding replica check out as the snapshot's.
        Assert.Equal(ReplicaStatus.Ok, Bed.Replica.SetRebuilding(true));
        Assert.Equal(ReplicaStatus.Ok, Bed.Replica.StageLayer(Bed.Replica.Snapshots().Single() with { Name = "copy" }));
        Assert.Equal(ReplicaStatus.Ok, await Channel.WriteStagedAsync("copy", 1 << 20, data));
        Assert.Equal(ReplicaStatus.Ok, Bed.Replica.CheckStaged("copy", out var staged));
        Assert.Equal(ReplicaStatus.Ok, Bed.Replica.GetLayerDigest("s1", out var expected));
        Assert.Equal(expected, staged);
        Assert.Equal(ReplicaStatus.NotFound, await Channel.WriteStagedAsync("other", 0, new byte[4096]));
        Assert.Equal(ReplicaStatus.OutOfRange, await Channel.WriteStagedAsync("copy", Size, new byte[4096]));
    }

    [Fact]
    public async Task Requests_outside_the_volume_are_out_of_range()
    {
        var block = new byte[4096];
        Assert.Equal(ReplicaStatus.OutOfRange, await Channel.ReadAsync(Size, block));
        Assert.Equal(ReplicaStatus.OutOfRange, await Channel.ReadAsync(Size - 100, block));
        Assert.Equal(ReplicaStatus.OutOfRange, await Channel.ReadAsync(-4096, block));
        Assert.Equal(ReplicaStatus.OutOfRange, await Channel.WriteAsync(Size - 4095, block));
        Assert.Equal(ReplicaStatus.OutOfRange, await Channel.WriteZeroesAsync(Size, 4096, allocate: false));
        Assert.Equal(ReplicaStatus.OutOfRange, await Channel.WriteZeroesAsync(0, -1, allocate: true));
        Assert.Equal(ReplicaStatus.OutOfRange, await Channel.TrimAsync(Size - 4096, 8192));
        Assert.Equal(ReplicaStatus.OutOfRange, await Channel.GetAllocationAsync(0, Size + 1, []));
        Assert.Equal(ReplicaStatus.Ok, await Channel.ReadAsync(0, block)); // and the channel still works
    }

    [Fact]
    public async Task Many_concurrent_requests_from_several_threads_each_read_back_what_it_wrote()
    {
        const int threads = 4, perThread = 24, rounds = 12, blockSpan = 256;
        // Thread t owns blocks with index % threads == t, so same-block writes are ordered (the engine's job).
        var workers = Enumerable.Range(0, threads).Select(t => Task.Run(async () =>
        {
            var rng = new Random(Seed + t);
            for (var round = 0; round < rounds; round++)
            {
                var offsets = Enumerable.Range(0, perThread).Select(i => ((long)(round * perThread + i) % blockSpan * threads + t) * 4096 * 16).ToArray();
                var payloads = offsets.Select(_ => { var b = new byte[4096 * (1 + rng.Next(4))]; rng.NextBytes(b); return b; }).ToArray();
                var writes = offsets.Select((o, i) => Channel.WriteAsync(o, payloads[i]).AsTask()).ToArray();
                Assert.All(await Task.WhenAll(writes), s => Assert.Equal(ReplicaStatus.Ok, s));
                var buffers = payloads.Select(p => new byte[p.Length]).ToArray();
                var reads = offsets.Select((o, i) => Channel.ReadAsync(o, buffers[i]).AsTask()).ToArray();
                Assert.All(await Task.WhenAll(reads), s => Assert.Equal(ReplicaStatus.Ok, s));
                for (var i = 0; i < perThread; i++) Assert.Equal(payloads[i], buffers[i]);
            }
        })).ToArray();
        await Wait.ForAsync(Task.WhenAll(workers), "the concurrent writers");
    }
}

public sealed class LocalReplicaChannelContractTests : ReplicaChannelContract
{
    protected override Task<IReplicaChannel> OpenAsync(ReplicaBed bed, long epoch)
    {
        var (status, channel) = LocalReplicaChannel.Open(bed.Replica, epoch);
        Assert.Equal(ReplicaStatus.Ok, status);
        Assert.True(channel!.IsLocal);
        return Task.FromResult<IReplicaChannel>(channel);
    }
}

public sealed class SocketReplicaChannelContractTests : ReplicaChannelContract
{
    protected override async Task<IReplicaChannel> OpenAsync(ReplicaBed bed, long epoch)
    {
        await bed.StartServerAsync();
        var channel = await bed.ConnectOkAsync(epoch);
        Assert.False(channel.IsLocal);
        return channel;
    }
}
