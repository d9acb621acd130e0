// The process the SIGKILL tests kill: it opens (or creates) a replica on the real file system and runs
// random snapshot / delete / purge / write+flush / zero / trim operations until it is killed, printing
// "begin <op>" before and "end <status>" after each, so the test knows what was in flight.
using ActorStore.Blocks;
using ActorStore.Blocks.Devices;
using ActorStore.Blocks.Tests.Model;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: ActorStore.Blocks.CrashWorker DIR SEED SIZE-BYTES");
    return 2;
}
var (dir, seed, size) = (args[0], int.Parse(args[1]), long.Parse(args[2]));
var options = new ReplicaOptions { MaxSnapshots = 12 };
var status = Replica.Open(LinuxFileSystem.Instance, dir, out var replica, options);
if (status == ReplicaStatus.NotFound)
    status = Replica.Create(LinuxFileSystem.Instance, dir, new ReplicaIdentity(Guid.NewGuid(), "r1", 1), size, out replica, options);
if (status != ReplicaStatus.Ok)
{
    Console.Error.WriteLine($"cannot open {dir}: {status}");
    return 1;
}
var rng = new Random(seed);
Console.WriteLine("ready");
for (var n = 0; ; n++)
{
    var names = replica!.Snapshots().Select(s => s.Name).ToList();
    foreach (var op in Next(rng, replica.Size, names, n))
    {
        Console.WriteLine($"begin {op}");
        Console.WriteLine($"end {op.Apply(replica)}");
    }
}

static IEnumerable<Operation> Next(Random rng, long size, List<string> names, int n)
{
    const int B = BlockSize.Bytes;
    var roll = rng.Next(100);
    if (roll < 45)
    {
        // write + flush: aligned or not, up to 512 KiB
        var length = rng.Next(2) == 0 ? rng.Next(1, 129) * B : rng.Next(1, 512 * 1024);
        var offset = rng.Next(2) == 0 ? rng.NextInt64(0, (size - length) / B) * B : rng.NextInt64(0, size - length);
        return [new Operation(OpKind.Write, offset, length, rng.Next()), new Operation(OpKind.Flush)];
    }
    if (roll < 65) return [new Operation(OpKind.Snapshot, Name: $"k{n}-{rng.Next(1000)}")];
    if (roll < 78 && names.Count > 0) return [new Operation(OpKind.Delete, Name: names[rng.Next(names.Count)])];
    if (roll < 90) return [new Operation(OpKind.Purge)];
    var start = rng.NextInt64(0, size / B - 64) * B;
    return [new Operation(rng.Next(2) == 0 ? OpKind.Zero : OpKind.Trim, start, rng.Next(1, 64) * B)];
}
