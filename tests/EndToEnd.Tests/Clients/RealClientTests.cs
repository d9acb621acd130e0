using System.Text.Json;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.EndToEnd.Tests.Harness.TestData;

namespace ActorStore.EndToEnd.Tests.Clients;

/// <summary>
/// Real NBD clients (libnbd's tools, qemu, fio) against a real node process. The same tests run against a
/// node that reaches its replicas in-process and one forced onto the TCP data endpoints (the subclasses),
/// since a cluster depends on the socket path and one machine would otherwise never exercise it.
/// </summary>
public abstract class RealClientTests(SharedNodeFixture fixture, ITestOutputHelper output) : NodeTest(output)
{
    // Two replicas (both fit on one node's two default disks): every write fans out, every flush fsyncs both.
    private const int Replicas = 2;

    protected NodeProcess Node { get; } = fixture.Node;

    public override Task InitializeAsync()
    {
        Watch(Node);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Nbdinfo_reports_the_size_and_the_flags_of_an_attached_volume()
    {
        var name = VolumeName("info");
        var volume = await Node.Api.CreateAttachedAsync(name, 64 * MiB, Replicas);
        Assert.Equal(Node.NbdUri(name), volume.Endpoint);

        var result = (await Tool.RunAsync("nbdinfo", "--json", Node.NbdUri(name))).EnsureSuccess();
        var json = result.StdOut[result.StdOut.IndexOf('{')..];
        var export = JsonDocument.Parse(json).RootElement.GetProperty("exports")[0];
        Assert.Equal(64 * MiB, export.GetProperty("export-size").GetInt64());
        Assert.True(export.GetProperty("can_multi_conn").GetBoolean(), "a replicated volume must allow several connections");
        Assert.True(export.GetProperty("can_flush").GetBoolean());
        Assert.False(export.GetProperty("is_read_only").GetBoolean());
    }

    [Fact]
    public async Task Nbdinfo_map_shows_data_where_it_was_written_across_snapshots_and_holes_elsewhere()
    {
        var name = VolumeName("map");
        await Node.Api.CreateAttachedAsync(name, 64 * MiB, Replicas);
        var uri = Node.NbdUri(name);
        await QemuIo.RunAsync(uri, "write -P 0x11 0 1M", "flush");
        await Node.Api.SnapshotAsync(name, "s1");
        await QemuIo.RunAsync(uri, "write -P 0x22 32M 1M", "flush");

        var map = ParseMap((await Tool.RunAsync("nbdinfo", "--map", uri)).EnsureSuccess().StdOut);
        Out.WriteLine(string.Join('\n', map));
        Assert.Equal(64 * MiB, map.Sum(e => e.Length));
        Assert.True(IsData(map, 0, MiB), "the block written before the snapshot must map as data");
        Assert.True(IsData(map, 32 * MiB, MiB), "the block written after the snapshot must map as data");
        Assert.True(IsHole(map, 8 * MiB, 16 * MiB), "a range never written must map as a hole");
    }

    [Fact]
    public async Task Nbdcopy_copies_a_random_256MiB_file_in_and_out_unchanged()
    {
        const int seed = 256;
        var name = VolumeName("copy");
        await Node.Api.CreateAttachedAsync(name, 256 * MiB, Replicas);
        var dir = RepoPaths.NewTempDirectory("nbdcopy");
        try
        {
            var input = Path.Combine(dir, "in.img");
            var copy = Path.Combine(dir, "out.img");
            WriteFile(input, seed, 256 * MiB);
            (await Tool.RunAsync("nbdcopy", ["--flush", input, Node.NbdUri(name)], timeout: TimeSpan.FromMinutes(3))).EnsureSuccess();
            (await Tool.RunAsync("nbdcopy", [Node.NbdUri(name), copy], timeout: TimeSpan.FromMinutes(3))).EnsureSuccess();
            Assert.True(Sha256.OfFile(input) == Sha256.OfFile(copy), $"the copy out differs from the file copied in (seed {seed})");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// The README's import: nbdcopy sends a hole of the source as one WRITE_ZEROES, longer than the maximum
    /// payload for any hole over 32 MiB, and doc/proto.md lets it. Found by trying it: such images failed with EINVAL.
    /// </summary>
    [Fact]
    public async Task Nbdcopy_imports_a_sparse_ext4_image_with_holes_longer_than_the_maximum_payload()
    {
        const int seed = 512;
        var name = VolumeName("sparse");
        await Node.Api.CreateAttachedAsync(name, 512 * MiB, Replicas);
        var uri = Node.NbdUri(name);
        await QemuIo.RunAsync(uri, "write -P 0x77 0 512M"); // the holes must really be zeroed, not just skipped
        var dir = RepoPaths.NewTempDirectory("sparse");
        try
        {
            var image = Path.Combine(dir, "disk.img");
            using (var f = File.Create(image)) f.SetLength(512 * MiB);
            (await Tool.RunAsync("mkfs.ext4", ["-q", "-F", image], timeout: TimeSpan.FromMinutes(1))).EnsureSuccess();
            using (var f = new FileStream(image, FileMode.Open, FileAccess.Write))
            {
                f.Position = 300 * MiB; // data between two holes of well over 32 MiB
                f.Write(Bytes(seed, (int)MiB));
            }
            (await Tool.RunAsync("nbdcopy", ["--flush", image, uri], timeout: TimeSpan.FromMinutes(3))).EnsureSuccess();
            var copy = Path.Combine(dir, "out.img");
            (await Tool.RunAsync("nbdcopy", [uri, copy], timeout: TimeSpan.FromMinutes(3))).EnsureSuccess();
            Assert.True(Sha256.OfFile(image) == Sha256.OfFile(copy), $"the volume does not read back as the image copied in (seed {seed})");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task One_write_zeroes_of_a_whole_1GiB_volume_zeroes_it_above_a_snapshot_that_keeps_its_data()
    {
        var name = VolumeName("zero1g");
        await Node.Api.CreateAttachedAsync(name, GiB, Replicas);
        var uri = Node.NbdUri(name);
        await QemuIo.RunAsync(uri, "write -P 0x31 0 1M", "write -P 0x32 512M 1M", "write -P 0x33 1023M 1M", "flush");
        await Node.Api.SnapshotAsync(name, "before-zero");
        var zeroed = (await NbdSh.RunAsync(uri, """
            h.zero(1 << 30, 0)
            h.flush()
            print("zeroed", h.pread(1 << 20, 512 << 20) == bytes(1 << 20))
            """)).EnsureSuccess();
        Assert.Contains("zeroed True", zeroed.StdOut);
        await QemuIo.RunAsync(uri, "read -P 0 0 1M", "read -P 0 512M 1M", "read -P 0 1023M 1M");
        await Node.Api.DetachAsync(name);
        await Node.Api.RevertAsync(name, "before-zero");
        await Node.Api.AttachAsync(name);
        await QemuIo.RunAsync(uri, "read -P 0x31 0 1M", "read -P 0x32 512M 1M", "read -P 0x33 1023M 1M");
    }

    [Fact]
    public async Task Qemu_io_pattern_writes_at_unaligned_offsets_read_back_from_a_new_connection()
    {
        var name = VolumeName("qemu");
        await Node.Api.CreateAttachedAsync(name, 64 * MiB, Replicas);
        var uri = Node.NbdUri(name);
        await QemuIo.RunAsync(uri, "write -P 0xab 4097 65536", "write -P 0xcd 1048476 300", "write -P 0xef 33554431 1", "flush");
        // A second process: nothing is served from qemu's own cache.
        await QemuIo.RunAsync(uri,
            "read -P 0 0 4097", "read -P 0xab 4097 65536", "read -P 0 69633 978843",
            "read -P 0xcd 1048476 300", "read -P 0 1048776 100", "read -P 0xef 33554431 1", "read -P 0 33554432 1");
    }

    [Fact]
    public async Task Nbdsh_keeps_64_requests_in_flight_and_every_one_reads_back()
    {
        var name = VolumeName("inflight");
        await Node.Api.CreateAttachedAsync(name, 64 * MiB, Replicas);
        var result = (await NbdSh.RunAsync(Node.NbdUri(name), """
            import random
            n, bs = 64, 65536
            r = random.Random(64)
            bufs = [r.randbytes(bs) for _ in range(n)]
            cookies = [h.aio_pwrite(bufs[i], i * bs * 3 + 512) for i in range(n)]
            peak = h.aio_in_flight()
            while h.aio_in_flight() > 0:
                h.poll(-1)
            assert all(h.aio_command_completed(c) for c in cookies)
            h.flush()
            reads = [nbd.Buffer(bs) for _ in range(n)]
            cookies = [h.aio_pread(reads[i], i * bs * 3 + 512) for i in range(n)]
            peak = min(peak, h.aio_in_flight())
            while h.aio_in_flight() > 0:
                h.poll(-1)
            assert all(h.aio_command_completed(c) for c in cookies)
            print("peak", peak, "bad", [i for i in range(n) if reads[i].to_bytearray() != bufs[i]])
            """)).EnsureSuccess();
        Assert.Contains("peak 64 bad []", result.StdOut);
    }

    [Fact]
    public async Task Several_connections_write_at_once_and_each_sees_the_others_data()
    {
        const int writers = 4;
        var name = VolumeName("multi");
        await Node.Api.CreateAttachedAsync(name, 64 * MiB, Replicas);
        var uri = Node.NbdUri(name);
        // Interleaved 64 KiB stripes: writer i owns stripes i, i+4, ... of the first 16 MiB.
        var runs = Enumerable.Range(0, writers).Select(i => NbdSh.RunAsync(uri, $"""
            import random
            r = random.Random({i})
            for s in range({i}, 256, {writers}):
                h.pwrite(r.randbytes(65536), s * 65536)
            h.flush()
            print("done")
            """)).ToArray();
        foreach (var run in await Task.WhenAll(runs)) Assert.Contains("done", run.EnsureSuccess().StdOut);

        var check = (await NbdSh.RunAsync(uri, $"""
            import random
            bad = []
            for i in range({writers}):
                r = random.Random(i)
                for s in range(i, 256, {writers}):
                    if h.pread(65536, s * 65536) != r.randbytes(65536):
                        bad.append(s)
            print("bad", bad)
            """)).EnsureSuccess();
        Assert.Contains("bad []", check.StdOut);
    }

    [Fact]
    public async Task Fio_verifies_crc32c_for_10_seconds_without_an_error()
    {
        var name = VolumeName("fio");
        await Node.Api.CreateAttachedAsync(name, 128 * MiB, Replicas);
        await using var fio = FioVerify.Start(Node.NbdUri(name), seconds: 10);
        await fio.AssertCleanAsync();
    }

    [Fact]
    public async Task An_ext4_file_system_made_through_nbdfuse_and_a_loop_device_mounts_keeps_a_file_and_checks_clean()
    {
        const int seed = 4;
        var name = VolumeName("ext4");
        await Node.Api.CreateAttachedAsync(name, 256 * MiB, Replicas);
        var dir = RepoPaths.NewTempDirectory("ext4");
        try
        {
            var file = Path.Combine(dir, "payload");
            WriteFile(file, seed, 16 * MiB);
            var mount = Path.Combine(dir, "mnt");
            await using (var disk = await FuseLoopDisk.AttachAsync(Node.NbdUri(name), dir))
            {
                (await Tool.RunAsync("mkfs.ext4", ["-q", "-F", disk.LoopDevice!], timeout: TimeSpan.FromMinutes(2))).EnsureSuccess();
                await disk.MountAsync(mount);
                File.Copy(file, Path.Combine(mount, "payload"));
                (await Tool.RunAsync("sync", [], timeout: TimeSpan.FromMinutes(1))).EnsureSuccess();
                await disk.UnmountAsync(mount);
                await disk.MountAsync(mount);
                Assert.Equal(Sha256.OfFile(file), Sha256.OfFile(Path.Combine(mount, "payload")));
                await disk.UnmountAsync(mount);
                var fsck = await Tool.RunAsync("e2fsck", ["-fn", disk.LoopDevice!], timeout: TimeSpan.FromMinutes(2));
                Assert.True(fsck.ExitCode == 0, $"e2fsck found problems:\n{fsck}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed record Extent(long Offset, long Length, int Type);

    // nbdinfo --map lines: "offset length type description"; type bit 0 = hole, bit 1 = reads as zero.
    private static List<Extent> ParseMap(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => new Extent(long.Parse(f[0]), long.Parse(f[1]), int.Parse(f[2])))
            .ToList();

    private static bool IsData(List<Extent> map, long offset, long length) =>
        Covering(map, offset, length).All(e => (e.Type & 1) == 0);

    private static bool IsHole(List<Extent> map, long offset, long length) =>
        Covering(map, offset, length).All(e => (e.Type & 1) == 1);

    private static IEnumerable<Extent> Covering(List<Extent> map, long offset, long length) =>
        map.Where(e => e.Offset < offset + length && e.Offset + e.Length > offset);
}
