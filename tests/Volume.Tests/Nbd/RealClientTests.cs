using System.Security.Cryptography;
using ActorStore.Tests.Shared;
using ActorStore.Volume.Frontend.Nbd;
using Xunit;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>The server against the real clients a host would use: libnbd tools, qemu, fio, nbd-client.</summary>
public sealed class RealClientTests
{
    [Fact]
    public async Task Nbdinfo_shows_size_flags_and_block_sizes()
    {
        await using var server = await TestServer.StartAsync(size: 64 << 20);
        string output = await Tool.RunOkAsync("nbdinfo", ["--json", server.Uri]);
        Assert.Contains("\"export-size\": 67108864", output);
        Assert.Contains("\"can_multi_conn\": true", output);
        Assert.Contains("\"can_flush\": true", output);
        Assert.Contains("\"can_fua\": true", output);
        Assert.Contains("\"can_trim\": true", output);
        Assert.Contains("\"can_zero\": true", output);
        Assert.Contains("\"can_fast_zero\": true", output);
        Assert.Contains("\"can_df\": true", output);
        Assert.Contains("\"is_read_only\": false", output);
        Assert.Contains("\"block_size_minimum\": 1", output);
        Assert.Contains("\"block_size_preferred\": 4096", output);
        Assert.Contains("\"block_size_maximum\": 33554432", output);
        Assert.Contains("base:allocation", output);
    }

    [Fact]
    public async Task Nbdinfo_map_shows_data_and_holes()
    {
        await using var server = await TestServer.StartAsync(size: 1 << 20);
        await server.Volume.WriteAsync(65536, new byte[8192], fua: false);
        string output = await Tool.RunOkAsync("nbdinfo", ["--map", server.Uri]);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal(["0 65536 3 hole,zero", "65536 8192 0 data", "73728 974848 3 hole,zero"], lines);
    }

    [Fact]
    public async Task Nbdinfo_list_and_nbd_client_list_show_every_export()
    {
        await using var server = await TestServer.StartAsync(1 << 20, null, new MemoryVolume("second", 1 << 20));
        string info = await Tool.RunOkAsync("nbdinfo", ["--list", $"nbd://127.0.0.1:{server.Port}"]);
        Assert.Contains("export=\"disk\"", info.Replace(": ", "="));
        Assert.Contains("second", info);
        string list = await Tool.RunOkAsync("nbd-client", ["-l", "127.0.0.1", server.Port.ToString()]);
        Assert.Contains("disk", list);
        Assert.Contains("second", list);
    }

    [Fact]
    public async Task Nbdcopy_64MiB_in_and_out_round_trips()
    {
        await using var server = await TestServer.StartAsync(size: 64 << 20);
        string dir = Directory.CreateTempSubdirectory("nbdcopy").FullName;
        try
        {
            string source = Path.Combine(dir, "in.bin"), target = Path.Combine(dir, "out.bin");
            var data = new byte[64 << 20];
            new Random(42).NextBytes(data);
            await File.WriteAllBytesAsync(source, data);
            await Tool.RunOkAsync("nbdcopy", [source, server.Uri], TimeSpan.FromSeconds(60));
            Assert.Equal(SHA256.HashData(data), SHA256.HashData(server.Volume.Snapshot()));
            await Tool.RunOkAsync("nbdcopy", [server.Uri, target], TimeSpan.FromSeconds(60));
            Assert.Equal(SHA256.HashData(data), SHA256.HashData(await File.ReadAllBytesAsync(target)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Qemu_io_writes_and_reads_a_pattern_at_unaligned_offsets()
    {
        await using var server = await TestServer.StartAsync(size: 1 << 20);
        string output = await Tool.RunOkAsync(
            "qemu-io", ["-f", "raw", "-c", "write -P 0xab 3000 70000", "-c", "read -P 0xab 3000 70000", "-c", "read -P 0 0 3000", "-c", "read -P 0 73000 1000", server.Uri]);
        Assert.DoesNotContain("fail", output, StringComparison.OrdinalIgnoreCase);
        var snapshot = server.Volume.Snapshot();
        Assert.All(snapshot[3000..73000], b => Assert.Equal(0xab, b));
        Assert.Equal(0, snapshot[2999]);
        Assert.Equal(0, snapshot[73000]);
    }

    [Fact]
    public async Task Nbdsh_keeps_64_requests_in_flight_on_each_of_4_connections()
    {
        await using var server = await TestServer.StartAsync(size: 16 << 20);
        server.Volume.Latency = TimeSpan.FromMilliseconds(2);
        const string script = """
            import nbd
            uri = URI
            handles = []
            for c in range(4):
                h = nbd.NBD()
                h.connect_uri(uri)
                handles.append(h)
            for c, h in enumerate(handles):
                for i in range(64):
                    buf = nbd.Buffer.from_bytearray(bytearray([(c * 64 + i) % 251 + 1]) * 4096)
                    h.aio_pwrite(buf, (c * 64 + i) * 4096)
            peak = max(h.aio_in_flight() for h in handles)
            for h in handles:
                while h.aio_in_flight() > 0:
                    h.poll(-1)
                h.flush()
            for c, h in enumerate(handles):
                for i in range(64):
                    data = h.pread(4096, (c * 64 + i) * 4096)
                    assert data == bytes([(c * 64 + i) % 251 + 1]) * 4096, (c, i)
            for h in handles:
                h.shutdown()
            print("peak", peak)
            """;
        string file = Path.Combine(Path.GetTempPath(), $"nbdsh-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(file, script.Replace("URI", $"'{server.Uri}'"));
        try
        {
            string output = await Tool.RunOkAsync("nbdsh", ["-c", $"exec(open('{file}').read())"], TimeSpan.FromSeconds(60));
            Assert.Contains("peak 64", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Fio_random_read_write_with_crc32c_verify_has_no_errors()
    {
        await using var server = await TestServer.StartAsync(size: 32 << 20);
        string output = await Tool.RunOkAsync(
            "fio",
            [
                "--name=verify", "--ioengine=nbd", $"--uri={server.Uri}", "--rw=randrw", "--bs=4k", "--iodepth=16",
                "--size=32m", "--time_based", "--runtime=3", "--verify=crc32c", "--verify_fatal=1", "--numjobs=1",
            ],
            TimeSpan.FromSeconds(60));
        Assert.Contains("err= 0", output);
        Assert.DoesNotContain("verify: bad", output);
    }
}
