using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Frontend.Nbd;
using ActorStore.Volume.Io;
using ActorStore.Volume.Tests.Replicas;
using Xunit;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>
/// A large WRITE runs on the connection's read loop. When a hung disk holds that thread past the engine's
/// deadline (the request itself answered from another replica), a new loop must read on — and the held one,
/// once its thread returns, must not read as well (two loops on one socket would tear the framing).
/// </summary>
public sealed class ReadLoopTakeoverTests
{
    [Fact]
    public async Task A_read_loop_held_by_a_large_write_is_replaced_and_the_held_one_never_reads_again()
    {
        var volume = new HeldFirstLargeWrite(new MemoryVolume("disk", 16 << 20));
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var server = new NbdServer(new MemoryExports(volume), new NbdServerOptions { Port = 0, BindAddress = System.Net.IPAddress.Loopback }, log.Enqueue);
        using var client = RawClient.Open(await server.StartAsync());
        var one = Payload(1);
        var two = Payload(2);

        client.SendRequest(NbdConstants.CmdWrite, 0, 1, 0, (uint)one.Length, one);
        Assert.Equal((0u, 1ul), client.ReadSimpleReply()); // answered by "the other replica" after the deadline
        Assert.True(volume.Holding, "the first large write must still hold the read loop's thread");

        // A new loop reads on: another large write (run on its thread, not held) and reads of both.
        client.SendRequest(NbdConstants.CmdWrite, 0, 2, 1 << 20, (uint)two.Length, two);
        Assert.Equal((0u, 2ul), client.ReadSimpleReply());
        Assert.Equal(one, ReadBack(client, 3, 0, one.Length));

        volume.Release(); // the held thread returns: its loop must end, not read
        await Wait.UntilAsync(() => !volume.Holding, "the held write to return");
        for (ulong cookie = 10; cookie < 20; cookie++)
            Assert.Equal(cookie % 2 == 0 ? one : two, ReadBack(client, cookie, cookie % 2 == 0 ? 0 : 1 << 20, one.Length));
        Assert.Contains(log, line => line.Contains("a new loop reads on", StringComparison.Ordinal));
    }

    private static byte[] Payload(int seed)
    {
        var bytes = new byte[1 << 20];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] ReadBack(RawClient client, ulong cookie, long offset, int length)
    {
        client.SendRequest(NbdConstants.CmdRead, 0, cookie, (ulong)offset, (uint)length);
        Assert.Equal((0u, cookie), client.ReadSimpleReply());
        return client.Receive(length);
    }

    /// <summary>
    /// As a local replica on a hung disk: the first large write is done at once in memory (the other replica has
    /// it), but its disk work is left on the caller's thread (DeferredIo) where it waits until released, and the
    /// request is answered after a second and a half, as the engine's deadline would answer it.
    /// </summary>
    private sealed class HeldFirstLargeWrite(MemoryVolume inner) : IVolumeIo
    {
        private readonly ManualResetEventSlim _release = new();
        private int _taken;
        private volatile bool _holding;

        public bool Holding => _holding;

        public string Name => inner.Name;

        public long Size => inner.Size;

        public void Release() => _release.Set();

        public ValueTask<IoStatus> WriteAsync(long offset, ReadOnlyMemory<byte> data, bool fua)
        {
            if (data.Length < 1 << 20 || !DeferredIo.Collecting || Interlocked.Exchange(ref _taken, 1) == 1) return inner.WriteAsync(offset, data, fua);
            var written = inner.WriteAsync(offset, data, fua);
            _holding = true;
            DeferredIo.Add(new Hold(this));
            return new ValueTask<IoStatus>(Task.Delay(1500).ContinueWith(_ => written.Result, TaskScheduler.Default));
        }

        public ValueTask<IoStatus> ReadAsync(long offset, Memory<byte> destination) => inner.ReadAsync(offset, destination);

        public bool TryReadCached(long offset, Span<byte> destination) => inner.TryReadCached(offset, destination);

        public ValueTask<IoStatus> WriteZeroesAsync(long offset, long length, bool noHole, bool fastOnly, bool fua) => inner.WriteZeroesAsync(offset, length, noHole, fastOnly, fua);

        public ValueTask<IoStatus> TrimAsync(long offset, long length, bool fua) => inner.TrimAsync(offset, length, fua);

        public ValueTask<IoStatus> FlushAsync() => inner.FlushAsync();

        public ValueTask<IoStatus> GetAllocationAsync(long offset, long length, List<AllocationExtent> into) => inner.GetAllocationAsync(offset, length, into);

        private sealed class Hold(HeldFirstLargeWrite volume) : IThreadPoolWorkItem
        {
            public void Execute()
            {
                volume._release.Wait(TimeSpan.FromMinutes(1));
                volume._holding = false;
            }
        }
    }
}
