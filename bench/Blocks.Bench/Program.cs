// The replica-store benchmark (issue: replica store). One run, one disk: the replica store against plain
// RandomAccess on a sparse file of the same size, both buffered, 4 threads, synchronous calls, for four
// workloads, with 1 layer and with 20 snapshot layers (each holding a random 5% of the blocks).
// Runs alternate A B A B …; each replica run is compared with the plain run just before it, and the
// ratio reported is the median of those paired ratios (slow drifts of the machine cancel within a pair).
// Also prints read-index memory.
using System.Globalization;
using ActorStore.Blocks;
using ActorStore.Blocks.Bench;
using ActorStore.Blocks.Chain;
using ActorStore.Blocks.Devices;

var options = BenchOptions.Parse(args);
if (options is null) return 2;
Directory.CreateDirectory(options.Dir);
Console.WriteLine($"replica-store benchmark: {options.SizeMiB} MiB volume, {options.Threads} threads, {options.Runs} alternating runs of {options.Seconds} s, in {Path.GetFullPath(options.Dir)}");
var rows = new List<string>();
var results = new List<(string Workload, int Layers, double Plain, double Replica, double Ratio)>();
foreach (var layers in options.Layers ?? [1, 20])
{
    using var setup = Setup.Create(options, layers);
    // Reads first: the 20-layer read comparison needs the chain exactly as set up.
    foreach (var workload in Workload.All.OrderBy(w => w.Write).Where(w => options.Only is null || w.Name == options.Only))
    {
        var plain = new List<double>();
        var replica = new List<double>();
        for (var run = 0; run < options.Runs; run++)
        {
            setup.FlushAll(); // no run inherits the dirty pages of the run before it
            plain.Add(workload.Run(workload.Write ? setup.PlainForWrites : setup.PlainForReads, setup.Size, options.Threads, TimeSpan.FromSeconds(options.Seconds), run));
            setup.FlushAll();
            replica.Add(workload.Run(setup.Replica, setup.Size, options.Threads, TimeSpan.FromSeconds(options.Seconds), run));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {run + 1}: plain {plain[^1],10:F0}  replica {replica[^1],10:F0}  ratio {replica[^1] / plain[^1]:F2}"));
        }
        var result = (workload.Name, layers, Median(plain), Median(replica), Median(plain.Zip(replica, (p, r) => r / p).ToList()));
        results.Add(result);
        Console.WriteLine(Format(result));
    }
}

Console.WriteLine();
Console.WriteLine("| workload | layers | plain file, median ops/s | replica, median ops/s | ratio, median of paired runs | target |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var r in results) Console.WriteLine($"| {r.Workload} | {r.Layers} | {r.Plain:F0} | {r.Replica:F0} | {r.Ratio:F2} | {(r.Layers == 1 ? "0.90" : "0.85")} |");

Console.WriteLine();
var tib = (1L << 40) / BlockSize.Bytes;
var empty = new ReadIndex(tib);
Console.WriteLine($"read index of a 1 TiB volume, empty: {empty.MemoryBytes / 1024.0:F0} KiB");
var twenty = IndexMemory.WithRandomLayers(tib, layers: 20, fraction: 0.05, seed: 1);
Console.WriteLine($"read index of a 1 TiB volume, 20 layers of a random 5% each: {twenty / (1024.0 * 1024):F0} MiB (Longhorn: 256 MiB whatever is written)");
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static string Format((string Workload, int Layers, double Plain, double Replica, double Ratio) r) =>
    string.Create(CultureInfo.InvariantCulture, $"{r.Workload,-14} layers {r.Layers,2}: plain {r.Plain,10:F0} ops/s  replica {r.Replica,10:F0} ops/s  ratio {r.Ratio:F2}");
