using System.Diagnostics;
using System.Security.Cryptography;
using ActorStore.Blocks;
using ActorStore.Blocks.Devices;
using ActorStore.Volume;

namespace ActorStore.Cluster;

/// <summary>
/// The node process. Until the volume service lands (the next issue) it runs the replica store on
/// the node's data directory: it opens (or creates) a replica, writes, snapshots and verifies a real
/// workload on disk, and prints what the chain holds, so an operator can see the store work.
/// </summary>
public static class NodeProgram
{
    public static Task<int> RunAsync(string[] args)
    {
        var dataDir = "data";
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data-dir" when i + 1 < args.Length:
                    dataDir = args[++i];
                    break;
                case "--help" or "-h":
                    Console.WriteLine("usage: actorstore-node [--data-dir DIR]   (default: ./data)");
                    return Task.FromResult(0);
                default:
                    Console.Error.WriteLine($"actorstore-node: unknown argument '{args[i]}'. Run with --help.");
                    return Task.FromResult(2);
            }
        }
        return Task.FromResult(RunReplicaDemo(Path.GetFullPath(Path.Combine(dataDir, "replicas", "demo-r1")), VolumeSettings.Default));
    }

    private static int RunReplicaDemo(string directory, VolumeSettings settings)
    {
        const long size = 1L << 30;
        var fs = LinuxFileSystem.Instance;
        var status = Replica.Open(fs, directory, out var replica, settings.Replica);
        if (status == ReplicaStatus.NotFound)
            status = Replica.Create(fs, directory, new ReplicaIdentity(Guid.NewGuid(), "demo-r1", 1), size, out replica, settings.Replica);
        if (status != ReplicaStatus.Ok || replica is null)
        {
            Console.Error.WriteLine($"actorstore-node: cannot open the replica in {directory}: {status}");
            return 1;
        }
        using (replica)
        {
            Console.WriteLine($"replica {directory}: {replica.Size >> 20} MiB, revision {replica.Revision}, {(replica.OpenedAfterUncleanStop ? "recovered from an unclean stop" : "clean")}");
            var data = new byte[4 << 20];
            RandomNumberGenerator.Fill(data);
            var offset = Random.Shared.NextInt64(0, (replica.Size - data.Length) >> 12) << 12;
            var clock = Stopwatch.StartNew();
            Check(replica.Write(offset, data), "write");
            Check(replica.Flush(), "flush");
            var snapshot = $"demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Random.Shared.Next(1000):D3}";
            Check(replica.Snapshot(snapshot), "snapshot");
            Check(replica.WriteZeroes(offset, data.Length), "write-zeroes");
            var back = new byte[data.Length];
            Check(replica.OpenSnapshot(snapshot, out var reader), "open snapshot");
            Check(reader!.Read(offset, back), "read snapshot");
            if (!back.AsSpan().SequenceEqual(data)) throw new InvalidOperationException("the snapshot does not read back what was written");
            Check(replica.Read(offset, back), "read head");
            if (back.AsSpan().ContainsAnyExcept((byte)0)) throw new InvalidOperationException("zeroed range does not read as zeros");
            Console.WriteLine($"wrote 4 MiB at {offset >> 20} MiB, flushed, snapshot '{snapshot}', zeroed it in the head, verified both in {clock.ElapsedMilliseconds} ms");
            Console.WriteLine($"{"SNAPSHOT",-32} {"PARENT",-32} {"SIZE",10}  REMOVED");
            foreach (var s in replica.Snapshots()) Console.WriteLine($"{s.Name,-32} {s.Parent ?? "-",-32} {s.Size >> 20,6} MiB  {(s.Removed ? "yes" : "no")}");
            var map = new List<AllocationExtent>();
            Check(replica.GetAllocation(0, replica.Size, map), "allocation");
            Console.WriteLine($"allocated: {map.Where(e => !e.IsHole).Sum(e => e.Length) >> 20} MiB in {map.Count(e => !e.IsHole)} extents; read index {replica.ReadIndexBytes / 1024} KiB; revision {replica.Revision}");
        }
        return 0;
    }

    private static void Check(ReplicaStatus status, string what)
    {
        if (status != ReplicaStatus.Ok) throw new InvalidOperationException($"{what} failed: {status}");
    }
}
