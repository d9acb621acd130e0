using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>
/// <see cref="Replica.TryReadCached"/> on the real file system: it answers what <see cref="Replica.Read"/>
/// answers when the page cache holds the range, and refuses (so that the caller reads the ordinary way)
/// rather than wait for the disk.
/// </summary>
public sealed class CachedReadTests : IDisposable
{
    private const int Mib = 1 << 20;
    private readonly TempDirectory _temp = new();
    private readonly Random _random = new(20261202);

    public void Dispose() => _temp.Dispose();

    private Replica NewReplica()
    {
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(LinuxFileSystem.Instance, _temp.Sub("r"), new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 16 * Mib, out var r));
        return r!;
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Read(Replica r, long offset, int length)
    {
        var bytes = new byte[length];
        Assert.Equal(ReplicaStatus.Ok, r.Read(offset, bytes));
        return bytes;
    }

    [Fact]
    public void Cached_reads_give_the_bytes_of_every_layer_and_zeros_for_holes()
    {
        using var r = NewReplica();
        Assert.Equal(ReplicaStatus.Ok, r.Write(0, RandomBytes(Mib)));
        Assert.Equal(ReplicaStatus.Ok, r.Snapshot("s1"));
        Assert.Equal(ReplicaStatus.Ok, r.Write(256 * 1024 + 100, RandomBytes(64 * 1024))); // unaligned, over the snapshot
        foreach (var (offset, length) in new[] { (0L, Mib), (1000L, 5000), (250 * 1024L, 80 * 1024), (8L * Mib, 64 * 1024), (Mib - 4096L, 8192) })
        {
            var cached = new byte[length];
            cached.AsSpan().Fill(0xEE); // a hole must be cleared, not left as it was
            Assert.True(r.TryReadCached(offset, cached), $"just written, yet not cached at {offset}+{length}");
            Assert.Equal(Read(r, offset, length), cached);
        }
    }

    [Fact]
    public void A_range_the_page_cache_does_not_hold_is_refused_and_served_by_read()
    {
        var data = RandomBytes(8 * Mib);
        using var r = NewReplica();
        Assert.Equal(ReplicaStatus.Ok, r.Write(0, data));
        Assert.Equal(ReplicaStatus.Ok, r.Flush());
        // Evicted and checked (PageCache.Evict), a no-wait read should refuse. It succeeded once here all
        // the same, rarely. Our best guess: the readahead it starts finished on this fast virtual disk before
        // it looked again. So: evict again until one refuses, and any read that succeeds must be right.
        bool refused = false;
        for (var attempt = 0; attempt < 10 && !refused; attempt++)
        {
            foreach (var file in Directory.GetFiles(r.Directory)) PageCache.Evict(file);
            var attemptBytes = new byte[8 * Mib];
            refused = !r.TryReadCached(0, attemptBytes);
            if (!refused) Assert.Equal(data, attemptBytes);
        }

        Assert.True(refused, "every no-wait read of an evicted range succeeded");
        Assert.Equal(data, Read(r, 0, 8 * Mib));
        var cached = new byte[8 * Mib];
        Assert.True(r.TryReadCached(0, cached));
        Assert.Equal(data, cached);
    }

    [Fact]
    public void Out_of_range_failed_or_closed_replicas_refuse_a_cached_read()
    {
        var r = NewReplica();
        Assert.Equal(ReplicaStatus.Ok, r.Write(0, RandomBytes(4096)));
        Assert.False(r.TryReadCached(16 * Mib - 4096, new byte[8192]));
        Assert.False(r.TryReadCached(-1, new byte[1]));
        Assert.True(r.TryReadCached(0, new byte[4096]));
        r.Dispose();
        Assert.False(r.TryReadCached(0, new byte[4096]));
    }

    [Fact]
    public void Reads_leave_the_access_time_alone()
    {
        // Layer files are opened O_NOATIME: under relatime a read after a write would otherwise update the
        // access time, a journal transaction that even a no-wait read from the page cache can wait for.
        using var r = NewReplica();
        Assert.Equal(ReplicaStatus.Ok, r.Write(0, RandomBytes(64 * 1024)));
        var old = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var files = Directory.GetFiles(r.Directory);
        foreach (var file in files) File.SetLastAccessTimeUtc(file, old);
        Assert.True(r.TryReadCached(0, new byte[64 * 1024]));
        Read(r, 0, 64 * 1024);
        foreach (var file in files) Assert.Equal(old, File.GetLastAccessTimeUtc(file));
    }
}
