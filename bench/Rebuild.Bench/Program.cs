using System.Diagnostics;
using System.Globalization;
using ActorStore.EndToEnd.Tests.Cluster;
using ActorStore.Tests.Shared;

// A replica rebuilt onto a new node against `cp --sparse=always` of the same replica's files on the same disk, in one
// run (reference, rebuild, reference again, so drift hits both): three nodes, a 4 GiB volume with two replicas and
// 2 GiB allocated across five snapshots; the replica on the second node is SIGKILLed and the third node gets the
// replacement. Rates are allocated bytes per second; the page cache is dropped before each measurement.
// Then the delta catch-up: the rebuilt replica's node is SIGKILLed, 1% of the volume is written at random places in
// 1 MiB writes, the node is started again within the replenishment wait, and the replica catches up: its bytes
// copied against the volume's size (target <= 2%) and against the full rebuild.
const long MiB = 1 << 20;
var layerMiB = args is ["--layer-mib", var n] ? long.Parse(n, CultureInfo.InvariantCulture) : 410;
const int Layers = 5;
const long Size = 4L << 30;
Console.WriteLine($"rebuild bench: a {Size >> 30} GiB volume, {Layers} snapshots of {layerMiB} MiB each, 2 replicas on 3 nodes");

// Long enough for the node restart of the catch-up half; the rebuild half's time is measured from rebuild-started.
await using var cluster = await LocalCluster.StartAsync(3, config: "actorstore.volume.replica-replenishment-wait = 30s\n");
const string Name = "rebuild-bench";
var created = await cluster["node-1"].Api.CreateVolumeAsync(Name, Size, 2);
var holders = created.Replicas.Select(r => r.Node).ToArray();
var engine = cluster[holders[0]];
var victim = cluster[holders[1]];
var target = cluster.Nodes.Single(node => !holders.Contains(node.Ready.NodeId));
var attached = await engine.Api.AttachToAsync(Name, engine.Ready.NodeId);
for (var i = 0; i < Layers; i++)
{
    await Tool.RunOkAsync("fio", ["--name=fill", "--ioengine=nbd", $"--uri={attached.Endpoint}", "--rw=write", "--bs=1M", "--iodepth=16",
        $"--offset={i * (Size / Layers)}", $"--size={layerMiB * MiB}", "--output-format=terse"], TimeSpan.FromMinutes(10));
    await engine.Api.SnapshotAsync(Name, $"layer-{i}");
}

var source = Directory.GetDirectories(engine.DataDir, created.Replicas[0].Id, SearchOption.AllDirectories).Single();
var allocated = long.Parse((await Tool.RunOkAsync("du", ["-sB1", source])).Split('\t')[0], CultureInfo.InvariantCulture);
var copyCount = 0;
var copies = new List<double> { await CopyAsync() };

DropCaches();
victim.Kill();
Console.WriteLine($"killed {victim.Ready.NodeId}; the replacement goes to {target.Ready.NodeId}");
var clock = Stopwatch.StartNew();
ActorStore.Cluster.Api.Contracts.EventInfo[] events = [];
while (!events.Any(e => e.Kind == "rebuilt"))
{
    if (clock.Elapsed > TimeSpan.FromMinutes(15)) throw new TimeoutException("no rebuild within 15 minutes");
    await Task.Delay(200);
    try
    {
        events = await engine.Api.ListEventsAsync(Name);
    }
    catch (ActorStore.EndToEnd.Tests.Harness.ApiException)
    {
        // The volume's controller was on the killed node and is recovering on another: ask again.
    }
}
var started = events.First(e => e.Kind == "rebuild-started").At;
var rebuilt = events.First(e => e.Kind == "rebuilt");
var copied = long.Parse(rebuilt.Detail.Split(' ')[0], CultureInfo.InvariantCulture);
var seconds = (rebuilt.At - started).TotalSeconds;
copies.Add(await CopyAsync());

var copyRate = copies.Average();
var rebuildRate = copied / seconds;
var report = string.Join('\n',
    $"allocated in the source replica: {allocated / (double)MiB:0} MiB; the rebuild copied {copied / (double)MiB:0} MiB of snapshot layers",
    $"cp --sparse=always:  {string.Join(", ", copies.Select(c => $"{c / MiB:0} MiB/s"))} (before and after the rebuild)",
    $"rebuild:             {copied / (double)MiB:0} MiB in {seconds:0.0} s = {rebuildRate / MiB:0} MiB/s (from rebuild-started to rebuilt: create, join, snapshot, copy, check, install)",
    $"ratio rebuild / cp:  {rebuildRate / copyRate:0.00} (target >= 0.5)",
    $"the engine's account: {rebuilt.Detail}");
Console.WriteLine(report);

// The delta catch-up of the replica just rebuilt. The first victim comes back first: in a cluster of two, the loss of
// one is a tie the split-brain resolver may settle by downing the engine's node.
await victim.StartAgainAsync();
var rebuiltReplica = rebuilt.Replica!;
target.Kill();
Console.WriteLine($"killed {target.Ready.NodeId} holding {rebuiltReplica}; writing 1% of the volume while it is away");
await WaitAsync(events => false, v => v.Replicas.Any(r => r.Id == rebuiltReplica && r.Mode == "ERR"), "the replica failed");
var delta = Size / 100;
await Tool.RunOkAsync("fio", ["--name=delta", "--ioengine=nbd", $"--uri={attached.Endpoint}", "--rw=randwrite", "--bs=1M", "--iodepth=8", "--randrepeat=0",
    $"--size={Size}", $"--io_size={delta}", "--output-format=terse"], TimeSpan.FromMinutes(10));
await target.StartAgainAsync();
var caughtUpEvents = await WaitAsync(events => events.Any(e => e.Kind == "caught-up" && e.Replica == rebuiltReplica), null, "the replica caught up");
var catchUpStarted = caughtUpEvents.First(e => e.Kind == "catch-up-started" && e.Replica == rebuiltReplica).At;
var caughtUp = caughtUpEvents.First(e => e.Kind == "caught-up");
var deltaCopied = long.Parse(caughtUp.Detail.Split(' ')[0], CultureInfo.InvariantCulture);
Console.WriteLine(string.Join('\n',
    $"catch-up:            {deltaCopied / (double)MiB:0} MiB copied after {delta / (double)MiB:0} MiB written in 1 MiB writes at random places while away, "
        + $"in {(caughtUp.At - catchUpStarted).TotalSeconds:0.0} s",
    $"catch-up / volume:   {100.0 * deltaCopied / Size:0.00}% of the volume (target <= 2%)",
    $"catch-up / rebuild:  {100.0 * deltaCopied / copied:0.0}% of the bytes the full rebuild copied, in {100 * (caughtUp.At - catchUpStarted).TotalSeconds / seconds:0}% of its time",
    $"the engine's account: {caughtUp.Detail}"));
return;

// Polls the volume's events (and, when given, its view) until the condition holds; the controller may be recovering meanwhile.
async Task<ActorStore.Cluster.Api.Contracts.EventInfo[]> WaitAsync(Func<ActorStore.Cluster.Api.Contracts.EventInfo[], bool> onEvents,
    Func<ActorStore.Cluster.Api.Contracts.VolumeInfo, bool>? onView, string what)
{
    var watch = Stopwatch.StartNew();
    while (true)
    {
        if (watch.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"not within 10 minutes: {what}");
        try
        {
            var list = await engine.Api.ListEventsAsync(Name);
            if (onEvents(list) || (onView is not null && onView(await engine.Api.GetVolumeAsync(Name)))) return list;
        }
        catch (ActorStore.EndToEnd.Tests.Harness.ApiException)
        {
            // The controller was on the killed node and is recovering on another: ask again.
        }
        await Task.Delay(200);
    }
}

// The source replica's directory copied to a sibling on the same disk, from a cold page cache; allocated bytes per second.
// The copies stay until the cluster goes, so no 2 GiB deletion (and its discards: the root file system is mounted with
// discard) runs beside the rebuild.
async Task<double> CopyAsync()
{
    var destination = Path.Combine(engine.DataDir, $"cp-reference-{copyCount++}");
    DropCaches();
    var watch = Stopwatch.StartNew();
    await Tool.RunOkAsync("cp", ["-r", "--sparse=always", source, destination], TimeSpan.FromMinutes(10));
    await Tool.RunOkAsync("sync", ["-f", destination]);
    return allocated / watch.Elapsed.TotalSeconds;
}

static void DropCaches()
{
    Tool.RunOkAsync("sync", []).GetAwaiter().GetResult();
    File.WriteAllText("/proc/sys/vm/drop_caches", "3");
}
