using System.Diagnostics;
using ActorStore.Blocks.Devices;
using ActorStore.Blocks.Tests.Model;
using ActorStore.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Blocks.Tests;

/// <summary>
/// A separate process runs snapshot, delete, purge, write+flush, zero and trim on a replica on the real
/// file system and is killed with SIGKILL at many points, some while a snapshot or a purge is in
/// flight. After each kill the replica must reopen consistent, with every flushed write in it.
/// </summary>
public sealed class SigkillTests(ITestOutputHelper output)
{
    private const long Size = 16 << 20;
    private const int Kills = 56;

    [Fact]
    public void Killing_the_writer_at_many_points_keeps_the_replica_consistent_and_every_flushed_write()
    {
        using var temp = new TempDirectory();
        var dir = temp.Sub("replica");
        var options = new ReplicaOptions { MaxSnapshots = 12 };
        var expect = new CrashExpectations(new ChainModel(Size) { MaxSnapshots = options.MaxSnapshots });
        var inFlight = new Dictionary<OpKind, int>();
        var beforeCommit = 0;
        TestSeeds.ForEach(Kills, 90_001, seed =>
        {
            var rng = new Random(seed);
            var target = (seed % 4) switch { 0 => OpKind.Snapshot, 1 => OpKind.Purge, 2 => OpKind.Write, _ => (OpKind?)null };
            var pending = RunUntilKilled(dir, seed, target, minOps: rng.Next(2, 25), delayMs: rng.Next(5, 120), expect);

            Assert.Equal(ReplicaStatus.Ok, Replica.Open(LinuxFileSystem.Instance, dir, out var replica, options));
            using (replica)
            {
                Assert.True(replica!.OpenedAfterUncleanStop);
                expect.AssertRecovered(replica, pending, $"kill {seed} during {pending?.ToString() ?? "nothing"}");
                if (pending is not null)
                {
                    inFlight[pending.Kind] = inFlight.GetValueOrDefault(pending.Kind) + 1;
                    if (pending.Kind == OpKind.Snapshot && replica.Snapshots().All(s => s.Name != pending.Name)) beforeCommit++;
                }
                expect.Adopt(ChainModel.FromReplica(replica, options.MaxSnapshots));
            }
        });
        output.WriteLine($"{Kills} kills; in flight at the kill: {string.Join(", ", inFlight.Select(kv => $"{kv.Key} {kv.Value}"))}; snapshots killed before their commit: {beforeCommit}");
        if (Environment.GetEnvironmentVariable("ACTORSTORE_SEED") is null)
        {
            Assert.True(inFlight.GetValueOrDefault(OpKind.Snapshot) >= 5, "too few kills during a snapshot");
            Assert.True(inFlight.GetValueOrDefault(OpKind.Purge) >= 5, "too few kills during a purge");
        }
    }

    /// <summary>Starts the worker, kills it at the first target operation after <paramref name="minOps"/> (or after a delay), and returns the operation it was in.</summary>
    private static Operation? RunUntilKilled(string dir, int seed, OpKind? target, int minOps, int delayMs, CrashExpectations expect)
    {
        var start = new ProcessStartInfo("dotnet", [WorkerPath(), dir, seed.ToString(), Size.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var worker = Process.Start(start)!;
        using var deadline = new Timer(_ => Kill(worker), null, target is null ? Timeout.Infinite : 5000, Timeout.Infinite);
        Operation? pending = null;
        var ops = 0;
        var killed = false;
        while (worker.StandardOutput.ReadLine() is { } line)
        {
            if (line == "ready")
            {
                if (target is null) deadline.Change(delayMs, Timeout.Infinite);
            }
            else if (line.StartsWith("begin ", StringComparison.Ordinal))
            {
                pending = Operation.Parse(line[6..]);
                if (!killed && target == pending.Kind && ++ops >= minOps)
                {
                    Kill(worker);
                    killed = true;
                }
                else if (target != pending.Kind) ops++;
            }
            else if (line.StartsWith("end ", StringComparison.Ordinal))
            {
                var status = Enum.Parse<ReplicaStatus>(line[4..]);
                var expected = expect.Completed(pending!);
                Assert.True(expected == status, $"worker: {pending} returned {status}, model says {expected}");
                pending = null;
            }
        }
        worker.WaitForExit();
        var errors = worker.StandardError.ReadToEnd();
        Assert.True(worker.ExitCode == 137 || worker.ExitCode == -1 || errors.Length == 0, $"worker failed (exit {worker.ExitCode}): {errors}");
        Assert.True(string.IsNullOrWhiteSpace(errors), $"worker wrote to stderr: {errors}");
        return pending;
    }

    private static void Kill(Process p)
    {
        try
        {
            p.Kill(); // SIGKILL on Linux
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    private static string WorkerPath()
    {
        // tests/Blocks.Tests/bin/<Configuration>/<tfm>/ → tests/Blocks.CrashWorker/bin/<Configuration>/<tfm>/
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var path = Path.Combine(here.Parent!.Parent!.Parent!.Parent!.FullName, "Blocks.CrashWorker", "bin", here.Parent.Name, here.Name, "ActorStore.Blocks.CrashWorker.dll");
        Assert.True(File.Exists(path), $"the crash worker is not built at {path}");
        return path;
    }
}
