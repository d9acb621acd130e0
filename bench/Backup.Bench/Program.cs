using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ActorStore.Backup;
using ActorStore.Backup.Bench;
using ActorStore.Backup.Records;
using ActorStore.Backup.Targets;
using ActorStore.Blocks;
using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;

// Backup and restore of a replica against a reference measured in the same run on the same disk: reading the
// replica's layer files where they hold data, in 2 MiB chunks, and compressing each chunk as the backup does (LZ4 by
// default), in one thread. That is the work no backup can skip; the backup adds hashing, the target's files and
// fsyncs, and runs several blocks at once. For random (incompressible) and text-like (compressible) data: a replica
// filled and snapshotted, then reference, and for each place of the target a backup (a full one into a new directory
// target) and a restore (into a new empty replica, flushed), then reference again (so drift hits both sides); the page
// cache is dropped before each. Rates are volume bytes per second. Each restored replica must read back sha256-equal
// to the source. The target is put on the replica's own disk, where a backup of incompressible data competes with its
// own reads for the one disk these machines have, and in a RAM-backed directory (/dev/shm) that stands in for what a
// target is in production: another device (an NFS server, an object store).
const long MiB = 1 << 20;
const int Piece = 4 << 20; // the fill's writes
const int Chunk = 2 << 20; // the reference's reads: a backup block
const string Snapshot = "bench";
var (sizeMiB, compression) = (2048, Compression.Lz4);
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--size-mib" && i + 1 < args.Length && int.TryParse(args[++i], CultureInfo.InvariantCulture, out var m) && m > 0) sizeMiB = m;
    else if (args[i] == "--compression" && i + 1 < args.Length && Enum.TryParse<Compression>(args[++i], ignoreCase: true, out var c)) compression = c;
    else
    {
        Console.Error.WriteLine("usage: bench/backup.sh [--size-mib N] [--compression lz4|zstd|none]   (default 2048, lz4)");
        return 2;
    }
}
if (!Environment.IsPrivilegedProcess)
{
    Console.Error.WriteLine("the benchmark drops the page cache before each measurement: run it as root (sudo bench/backup.sh)");
    return 2;
}
var size = sizeMiB * MiB;
var options = new BackupStoreOptions { Compression = compression };
Console.WriteLine($"backup bench: a {sizeMiB} MiB volume, {options.BlockSize / MiB} MiB blocks, {options.Compression}, parallelism {options.Parallelism}, "
    + $"{Environment.ProcessorCount} cores, under {Path.Combine(RepoPaths.Root, "data")}");

var results = new List<Result>();
foreach (var kind in new[] { "random", "text" })
{
    var root = Path.Combine(RepoPaths.Root, "data", $"bench-backup-{Guid.NewGuid():N}");
    try
    {
        results.AddRange(await RunAsync(kind, root));
    }
    finally
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }
}

Console.WriteLine();
Console.WriteLine("| data | target | reference MiB/s (before, after) | backup MiB/s | ratio | restore MiB/s | ratio | stored (compression) |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r.Kind} | {r.Target} | {r.References[0]:0}, {r.References[1]:0} | {r.Backup:0} | {r.Backup / r.Reference:0.00} | {r.Restore:0} | {r.Restore / r.Reference:0.00} | {r.Stored / (double)MiB:0} MiB ({size / (double)r.Stored:0.00}x) |"));
}
Console.WriteLine("targets: backup >= 0.5, restore >= 0.5 of the reference");
return 0;

async Task<IReadOnlyList<Result>> RunAsync(string kind, string root)
{
    var volume = $"bench-{kind}";
    using var source = NewReplica(Path.Combine(root, "source"), "source");
    var filled = Stopwatch.StartNew();
    Fill(source, kind);
    Check(source.Snapshot(Snapshot), "the snapshot");
    Check(source.Flush(), "the flush");
    Console.WriteLine();
    Console.WriteLine($"{kind}: filled {sizeMiB} MiB in {filled.Elapsed.TotalSeconds:0.0} s");
    var expected = Sha256(source);

    var references = new List<double> { Reference(kind, source.Directory) };
    var runs = new List<(string Target, double Backup, double Restore, long Stored)>();
    foreach (var (place, directory) in new[] { ("same disk", Path.Combine(root, "target")), ("RAM (/dev/shm)", Path.Combine("/dev/shm", Path.GetFileName(root))) })
    {
        try
        {
            Console.WriteLine($"  target on {place}: {directory}");
            runs.Add(await BackupAndRestoreAsync(source, volume, place, directory, Path.Combine(root, $"restored-{runs.Count}"), expected));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
    references.Add(Reference(kind, source.Directory));

    var results = runs.Select(r => new Result(kind, r.Target, references.ToArray(), size / r.Backup / MiB, size / r.Restore / MiB, r.Stored)).ToArray();
    foreach (var r in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {r.Target}: ratios to the reference ({r.Reference:0} MiB/s, the mean of {references[0]:0} and {references[1]:0}): backup {r.Backup / r.Reference:0.00}, restore {r.Restore / r.Reference:0.00}"));
    }
    return results;
}

async Task<(string Target, double Backup, double Restore, long Stored)> BackupAndRestoreAsync(Replica source, string volume, string place, string directory, string restoredDirectory, string expected)
{
    using var target = new DirectoryTarget(directory);
    var store = new BackupStore(target, options);
    BackupRecord? record = null;
    var backup = await MeasureAsync(async () =>
    {
        var request = SnapshotSource.Plan(source, volume, source.Identity.VolumeId, Snapshot, null, "bench", new Dictionary<string, string>(), options.BlockSize, out var why)
                      ?? throw new InvalidOperationException(why);
        Check(source.OpenSnapshot(Snapshot, out var reader), "opening the snapshot");
        record = await store.BackupAsync(request, new SnapshotSource(reader!, $"snapshot {Snapshot} of {volume}"));
    });
    var stored = new DirectoryInfo(Path.Combine(directory, StoreLayout.Blocks)).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
    Console.WriteLine($"    backup:  {Line(backup)}; {record!.Stats.UploadedBlocks} blocks, {stored / (double)MiB:0} MiB stored ({size / (double)stored:0.00}x)");

    using var restored = NewReplica(restoredDirectory, "restored");
    var restore = await MeasureAsync(async () =>
    {
        await store.RestoreAsync(volume, record.Id, new ReplicaRestoreSink(restored, $"the restored replica of {volume}"));
        Check(restored.Flush(), "the flush of the restored replica");
    });
    Console.WriteLine($"    restore: {Line(restore)} (with its flush)");
    var actual = Sha256(restored);
    if (expected != actual)
        throw new InvalidOperationException($"the restored replica of {volume} (target on {place}) reads sha256 {actual}, the source {expected}: the restore is wrong");
    Console.WriteLine($"    restored replica sha256-equal to the source: {expected}");
    return (place, backup.Seconds, restore.Seconds, stored);
}

Replica NewReplica(string directory, string name)
{
    Check(Replica.Create(LinuxFileSystem.Instance, directory, new ReplicaIdentity(Guid.NewGuid(), name, 1), size, out var replica), $"creating the {name} replica");
    return replica!;
}

// Every byte written: the backup reads every block, none is a hole or a duplicate of another.
void Fill(Replica replica, string kind)
{
    var random = new Random(1);
    var text = new LogLines(seed: 2);
    var piece = new byte[Piece];
    for (long offset = 0; offset < size; offset += Piece)
    {
        var span = piece.AsSpan(0, (int)Math.Min(Piece, size - offset));
        if (kind == "random") random.NextBytes(span);
        else text.Fill(span);
        Check(replica.Write(offset, span), $"the write at {offset}");
    }
}

double Reference(string kind, string directory)
{
    var (read, compressed) = (0L, 0L);
    var phase = Measure(() => (read, compressed) = ReadAndCompress(directory));
    if (read != size) throw new InvalidOperationException($"the reference read {read} bytes of data from {directory}, not the volume's {size}");
    Console.WriteLine($"  reference: {Line(phase)}; read and compressed in one thread to {compressed / (double)MiB:0} MiB");
    return read / phase.Seconds / MiB;
}

// The replica's layer images where they hold data (after the snapshot, the snapshot's layer; the new head is empty),
// in 2 MiB chunks, each compressed as a backup compresses a block.
(long Read, long Compressed) ReadAndCompress(string directory)
{
    using var codec = new BlockCodec(options.Compression);
    var buffer = new byte[Chunk];
    var (read, compressed) = (0L, 0L);
    foreach (var file in Directory.GetFiles(directory, "*.img").Order(StringComparer.Ordinal))
    {
        var extents = new List<BlockExtent>();
        using (var scan = LinuxFileSystem.Instance.Open(file, create: false)) scan.GetDataExtents(0, scan.Length, extents);
        using var handle = File.OpenHandle(file);
        foreach (var extent in extents)
        {
            for (var offset = extent.Offset; offset < extent.Offset + extent.Length; offset += Chunk)
            {
                var chunk = buffer.AsSpan(0, (int)Math.Min(Chunk, extent.Offset + extent.Length - offset));
                for (var done = 0; done < chunk.Length;)
                {
                    var n = RandomAccess.Read(handle, chunk[done..], offset + done);
                    if (n == 0) throw new EndOfStreamException($"{file} ends before its data extent at {offset} does");
                    done += n;
                }
                using var stored = codec.Encode(chunk);
                read += chunk.Length;
                compressed += stored.Length;
            }
        }
    }
    return (read, compressed);
}

static string Sha256(Replica replica)
{
    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    var buffer = new byte[Piece];
    for (long offset = 0; offset < replica.Size; offset += Piece)
    {
        var span = buffer.AsSpan(0, (int)Math.Min(Piece, replica.Size - offset));
        Check(replica.Read(offset, span), $"the read at {offset} of {replica.Directory}");
        hash.AppendData(span);
    }
    return Convert.ToHexStringLower(hash.GetHashAndReset());
}

string Line(Phase phase) => string.Create(CultureInfo.InvariantCulture,
    $"{sizeMiB} MiB in {phase.Seconds:0.00} s = {size / phase.Seconds / MiB,5:0} MiB/s, {phase.CpuSeconds:0.00} s of CPU");

static Phase Measure(Action work) => MeasureAsync(() =>
{
    work();
    return Task.CompletedTask;
}).GetAwaiter().GetResult();

// From a cold page cache: whatever the phase reads comes from the disk, and the writes before it are on the disk.
static async Task<Phase> MeasureAsync(Func<Task> work)
{
    using (var sync = Process.Start("sync")) sync.WaitForExit();
    File.WriteAllText("/proc/sys/vm/drop_caches", "3");
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    await work();
    return new Phase(clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
}

static void Check(ReplicaStatus status, string what)
{
    if (status != ReplicaStatus.Ok) throw new InvalidOperationException($"{what} failed: {status}");
}

internal readonly record struct Phase(double Seconds, double CpuSeconds);

internal sealed record Result(string Kind, string Target, double[] References, double Backup, double Restore, long Stored)
{
    public double Reference => References.Average();
}
