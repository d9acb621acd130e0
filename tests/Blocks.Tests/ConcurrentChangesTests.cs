using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>
/// Snapshots, deletes, purges, flushes and reads of snapshots run while four threads write: every
/// snapshot must be one instant of every writer's sequence (taken with I/O drained), and the head must
/// end with each block's last write.
/// </summary>
public sealed class ConcurrentChangesTests : IDisposable
{
    private const int Blocks = 4096;
    private const int Threads = 4;
    private const int WritesPerThread = 30_000;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Chain_changes_during_concurrent_writes_keep_every_snapshot_atomic()
    {
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(LinuxFileSystem.Instance, _temp.Sub("r"), new ReplicaIdentity(Guid.NewGuid(), "r1", 1), Blocks * 4096L, out var r));
        using var replica = r!;
        // history[t][i] = the block thread t wrote the value i + 1 into
        var history = new int[Threads][];
        var failures = new List<Exception>();
        var writers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                var rng = new Random(t);
                history[t] = new int[WritesPerThread];
                var buffer = new byte[4096];
                for (var i = 0; i < WritesPerThread; i++)
                {
                    var block = rng.Next(Blocks / Threads) * Threads + t; // a thread owns every 4th block
                    history[t][i] = block;
                    BitConverter.TryWriteBytes(buffer, i + 1);
                    Expect.Ok(replica.Write(block * 4096L, buffer));
                }
            }
            catch (Exception e)
            {
                lock (failures) failures.Add(e);
            }
        })).ToList();
        writers.ForEach(w => w.Start());

        var snapshots = new List<string>();
        var taken = new Dictionary<string, byte[]>();
        var duringWrites = 0;
        for (var n = 0; writers.Any(w => w.IsAlive); n++)
        {
            duringWrites++;
            var name = $"s{n}";
            Expect.Ok(replica.Snapshot(name));
            snapshots.Add(name);
            Assert.Equal(ReplicaStatus.Ok, replica.OpenSnapshot(name, out var reader));
            var content = new byte[Blocks * 4096];
            Expect.Ok(reader!.Read(0, content));
            taken[name] = content;
            if (snapshots.Count > 3)
            {
                Expect.Ok(replica.DeleteSnapshot(snapshots[0]));
                snapshots.RemoveAt(0);
            }
            Expect.Ok(n % 2 == 0 ? replica.Purge() : replica.Flush());
        }
        writers.ForEach(w => w.Join());
        Assert.Empty(failures);

        Assert.True(duringWrites >= 3, $"only {duringWrites} snapshots were taken while writing");
        foreach (var (name, content) in taken) AssertOneInstantPerWriter(content, history, name);
        var head = new byte[Blocks * 4096];
        Expect.Ok(replica.Read(0, head));
        AssertOneInstantPerWriter(head, history, "head");
        for (var t = 0; t < Threads; t++)
        {
            var last = history[t].Select((block, i) => (block, i)).GroupBy(x => x.block).ToDictionary(g => g.Key, g => g.Max(x => x.i) + 1);
            foreach (var (block, value) in last) Assert.Equal(value, BitConverter.ToInt32(head, block * 4096));
        }
    }

    /// <summary>For each writer, the blocks it owns hold exactly its writes up to some point k.</summary>
    private static void AssertOneInstantPerWriter(byte[] content, int[][] history, string what)
    {
        for (var t = 0; t < Threads; t++)
        {
            var k = Enumerable.Range(0, Blocks / Threads).Max(j => BitConverter.ToInt32(content, (j * Threads + t) * 4096));
            var expected = new int[Blocks];
            for (var i = 0; i < k; i++) expected[history[t][i]] = i + 1;
            for (var j = 0; j < Blocks / Threads; j++)
            {
                var block = j * Threads + t;
                Assert.True(expected[block] == BitConverter.ToInt32(content, block * 4096),
                    $"{what}: writer {t} block {block} holds {BitConverter.ToInt32(content, block * 4096)}, but after write {k} it held {expected[block]}");
            }
        }
    }

}
