using ActorStore.EndToEnd.Tests.Cluster;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Nbd.Bench;
using ActorStore.Tests.Shared;

// fio's nbd engine against the node and against nbdkit's file plugin on the same disk, alternating
// A B A B per workload so drift (page cache, CPU frequency, neighbours) hits both alike; prints node/nbdkit ratios.
var options = BenchOptions.Parse(args);
var dir = Path.Combine(RepoPaths.Root, "data", $"bench-{DateTime.UtcNow:yyyyMMddTHHmmssZ}");
Directory.CreateDirectory(dir);
Console.WriteLine($"nbd bench: {options.Pairs} pairs of {options.Seconds} s runs after {options.WarmupSeconds} s of warm-up, {options.SizeMiB} MiB per target, scratch {dir}");

var rows = new List<Report.Row>();
await using (var nbdkit = await NbdkitServer.StartAsync(Path.Combine(dir, "nbdkit.img"), options.SizeMiB))
{
    await Fio.FillAsync(nbdkit.Uri, options.SizeMiB);
    var configs = new List<(string Label, bool ForceSocket, int Replicas, int Nodes)>
    {
        ("1 replica, in-process", false, 1, 1),
        ("1 replica, --force-socket", true, 1, 1),
        ("2 replicas", false, 2, 1),
        // The cluster as it runs: the engine on node-1 with its replica in process, two replicas over the data port.
        ("3 nodes, 3 replicas", false, 3, 3),
    };
    if (options.NbdkitOnly || !File.Exists(RepoPaths.NodeDll))
    {
        Console.WriteLine(options.NbdkitOnly ? "--nbdkit-only: measuring the reference alone" : $"{RepoPaths.NodeDll} not built: measuring the reference alone");
        foreach (var workload in Workload.All)
            rows.Add(new Report.Row("nbdkit only", workload, null, await Fio.RunAsync(nbdkit.Uri, workload, options.Seconds, options.SizeMiB, dir), null));
    }
    else
    {
        foreach (var config in configs.Where(c => options.Setup is null || c.Label.Contains(options.Setup, StringComparison.OrdinalIgnoreCase)))
        {
            // One setup at a time: on 2 cores an idle node of another setup would still take CPU from the measurement.
            await using var cluster = config.Nodes > 1 ? await LocalCluster.StartAsync(config.Nodes) : null;
            await using var single = cluster is null
                ? await NodeProcess.StartAsync(new NodeOptions { NodeId = "bench-1", ForceSocket = config.ForceSocket }, Path.Combine(dir, $"node-{rows.Count}"))
                : null;
            var node = single ?? cluster!.Nodes[0];
            var name = $"bench-{config.Replicas}r";
            await node.Api.CreateAttachedAsync(name, options.SizeMiB << 20, config.Replicas);
            var uri = node.NbdUri(name);
            var nodeCpu = new CpuClock(cluster?.Nodes.Select(n => n.Pid).ToArray() ?? [node.Pid]);
            await Fio.FillAsync(uri, options.SizeMiB);
            foreach (var workload in Workload.All.Where(w => options.Only is null || w.Name.Contains(options.Only, StringComparison.OrdinalIgnoreCase)))
            {
                // A short unmeasured run on each side first: JIT tiers, pools and caches warm, as in a server that has been up a while.
                await Fio.RunAsync(uri, workload, options.WarmupSeconds, options.SizeMiB, dir);
                await Fio.RunAsync(nbdkit.Uri, workload, options.WarmupSeconds, options.SizeMiB, dir);
                var nodeRuns = new List<Fio.Result>();
                var kitRuns = new List<Fio.Result>();
                for (int pair = 0; pair < options.Pairs; pair++)
                {
                    nodeRuns.Add(await Fio.RunAsync(uri, workload, options.Seconds, options.SizeMiB, dir, nodeCpu));
                    kitRuns.Add(await Fio.RunAsync(nbdkit.Uri, workload, options.Seconds, options.SizeMiB, dir, nbdkit.Cpu));
                }
                var row = Report.Paired(config.Label, workload, nodeRuns, kitRuns);
                Console.WriteLine(Report.Format(row));
                rows.Add(row);
            }
            if (single is not null) await single.StopAsync();
        }
    }
}

Console.WriteLine();
Console.WriteLine(Report.Table(rows));
Directory.Delete(dir, recursive: true);
