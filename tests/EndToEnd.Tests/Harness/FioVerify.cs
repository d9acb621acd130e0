using System.Text.Json;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// fio's crc32c verify through its nbd engine: random 4 KiB writes at queue depth 16, each read back and checked
/// (a bad block fails fio at once). Started, then <see cref="AssertCleanAsync"/>: fio exited 0, its job reports
/// no error, and it did verify reads. Dispose kills it (by PID) and removes its report.
/// </summary>
public sealed class FioVerify : IAsyncDisposable
{
    private readonly string _dir;
    private readonly RunningTool _fio;

    private FioVerify(string dir, RunningTool fio)
    {
        _dir = dir;
        _fio = fio;
    }

    private string Report => Path.Combine(_dir, "fio.json");

    public static FioVerify Start(string uri, int seconds)
    {
        var dir = RepoPaths.NewTempDirectory("fio");
        return new FioVerify(dir, Tool.Start("fio", [
            "--name=verify", "--ioengine=nbd", $"--uri={uri}", "--rw=randwrite", "--bs=4k", "--iodepth=16",
            "--size=64M", "--time_based", $"--runtime={seconds}", "--verify=crc32c", "--verify_backlog=4096", "--verify_fatal=1",
            "--output-format=json", $"--output={Path.Combine(dir, "fio.json")}",
        ]));
    }

    public async Task AssertCleanAsync()
    {
        var result = await _fio.WaitAsync(TimeSpan.FromMinutes(2));
        var json = File.Exists(Report) ? File.ReadAllText(Report) : "";
        Assert.True(result.Succeeded, $"fio failed:\n{result}\n{json}");
        var job = JsonDocument.Parse(json[json.IndexOf('{')..]).RootElement.GetProperty("jobs")[0];
        Assert.Equal(0, job.GetProperty("error").GetInt32());
        Assert.True(job.GetProperty("read").GetProperty("io_bytes").GetInt64() > 0, "fio verified nothing (no verify reads)");
    }

    public async ValueTask DisposeAsync()
    {
        await _fio.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
