using System.Text.Json;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;

namespace ActorStore.Nbd.Bench;

/// <summary>Runs fio's nbd engine against a URI and reads IOPS and bandwidth from its JSON report.</summary>
public static class Fio
{
    /// <summary>IOPS, bandwidth and the server's CPU microseconds per request (null when not measured).</summary>
    public sealed record Result(double Iops, double MBps, double? CpuMicrosPerOp = null);

    public static async Task<Result> RunAsync(string uri, Workload workload, int seconds, long sizeMiB, string scratch, CpuClock? server = null)
    {
        var cpuBefore = server?.Seconds();
        var report = Path.Combine(scratch, $"fio-{Guid.NewGuid():N}.json");
        var result = await Tool.RunAsync("fio", [
            "--name=bench", "--ioengine=nbd", $"--uri={uri}", $"--rw={workload.Rw}", $"--bs={workload.BlockSize}",
            $"--iodepth={workload.Depth}", $"--size={sizeMiB}M", "--time_based", $"--runtime={seconds}",
            "--output-format=json", $"--output={report}",
        ], timeout: TimeSpan.FromSeconds(seconds + 120));
        result.EnsureSuccess();
        var cpu = server?.Seconds() - cpuBefore;
        var json = File.ReadAllText(report);
        File.Delete(report);
        var side = JsonDocument.Parse(json[json.IndexOf('{')..]).RootElement.GetProperty("jobs")[0].GetProperty(workload.IsRead ? "read" : "write");
        var ios = side.GetProperty("total_ios").GetDouble();
        return new Result(side.GetProperty("iops").GetDouble(), side.GetProperty("bw_bytes").GetDouble() / 1e6, ios > 0 ? cpu * 1e6 / ios : null);
    }

    /// <summary>Writes the whole target once, so reads read data and not holes.</summary>
    public static async Task FillAsync(string uri, long sizeMiB) =>
        (await Tool.RunAsync("fio", [
            "--name=fill", "--ioengine=nbd", $"--uri={uri}", "--rw=write", "--bs=1M", "--iodepth=8", $"--size={sizeMiB}M",
            "--refill_buffers", "--output-format=terse",
        ], timeout: TimeSpan.FromMinutes(10))).EnsureSuccess();
}
