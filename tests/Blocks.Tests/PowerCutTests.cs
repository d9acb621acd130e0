using ActorStore.Blocks.Devices;
using ActorStore.Blocks.Tests.Model;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Blocks.Tests;

/// <summary>
/// Power is cut at every mutating file operation of random operation sequences: every write since a
/// file's last fsync and every rename since its directory's last fsync are lost. After each cut the
/// replica must open, its chain must be consistent, and everything made durable must read back.
/// </summary>
public sealed class PowerCutTests(ITestOutputHelper output)
{
    private const string Dir = "/sim/replica";
    private static readonly ReplicaIdentity Identity = new(Guid.Parse("6f1b2c3d-0000-4000-8000-000000000002"), "r1", 1);
    private static readonly ReplicaOptions Options = new() { MaxSnapshots = 12 };

    [Fact]
    public void A_power_cut_at_every_file_operation_loses_nothing_that_was_made_durable()
    {
        var cuts = 0;
        TestSeeds.ForEach(16, 7_001, seed =>
        {
            var ops = Generate(seed, 18);
            var total = Run(ops, cutAt: null, out _);
            for (var k = 1; k <= total; k++)
            {
                Run(ops, cutAt: k, out var cut);
                Assert.True(cut, $"no power cut at operation {k} of {total}");
                cuts++;
            }
        });
        output.WriteLine($"{cuts} power cuts, each recovered");
        if (Environment.GetEnvironmentVariable("ACTORSTORE_SEED") is null) Assert.True(cuts >= 1000, $"only {cuts} power cuts");
    }

    /// <summary>The operations of one sequence, drawn against the model so that most are valid.</summary>
    private static List<Operation> Generate(int seed, int count)
    {
        var rng = new Random(seed);
        var model = new ChainModel(rng.Next(8, 24) * (long)BlockSize.Bytes) { MaxSnapshots = Options.MaxSnapshots };
        var ops = new List<Operation> { new(OpKind.Expand, Length: model.Size) }; // first "op": the size to create with
        for (var i = 0; i < count; i++)
        {
            var op = model.NextOperation(rng);
            if (op.Kind != OpKind.Reopen) model.Apply(op);
            ops.Add(op);
        }
        return ops;
    }

    /// <summary>Runs the sequence on a fresh simulated file system, optionally cutting power at file operation <paramref name="cutAt"/> and checking recovery.</summary>
    private static long Run(List<Operation> ops, long? cutAt, out bool cut)
    {
        var fs = new SimulatedFileSystem();
        fs.CreateDirectory("/sim");
        fs.CutPowerAtOperation = cutAt;
        var size = ops[0].Length;
        var expect = new CrashExpectations(new ChainModel(size) { MaxSnapshots = Options.MaxSnapshots });
        cut = false;
        Replica? replica = null;
        Operation? current = null;
        var context = $"cut at {cutAt}";
        try
        {
            Assert.Equal(ReplicaStatus.Ok, Replica.Create(fs, Dir, Identity, size, out replica, Options));
            for (var i = 1; i < ops.Count; i++)
            {
                current = ops[i];
                context = $"cut at {cutAt}, step {i} {current}";
                if (current.Kind == OpKind.Reopen)
                {
                    replica!.Dispose();
                    replica = null;
                    Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, Dir, out replica, Options));
                    expect.Completed(current);
                }
                else
                {
                    var actual = current.Apply(replica!);
                    var expected = expect.Completed(current);
                    Assert.True(expected == actual, $"{context}: status {actual}, model says {expected}");
                }
                current = null;
            }
            replica!.Dispose();
            return fs.Operations;
        }
        catch (PowerCutException)
        {
            cut = true;
        }

        // Power is back: what is on the "disk" must open and hold everything made durable.
        var status = Replica.Open(fs, Dir, out var recovered, Options);
        if (status == ReplicaStatus.NotFound && replica is null && current is null)
        {
            // The cut hit the create itself before its commit: a retry must succeed.
            Assert.Equal(ReplicaStatus.Ok, Replica.Create(fs, Dir, Identity, size, out recovered, Options));
            recovered!.Dispose();
            return fs.Operations;
        }
        Assert.True(status == ReplicaStatus.Ok, $"{context}: open after power cut: {status}");
        using (recovered)
        {
            expect.AssertRecovered(recovered!, current, context);
            // And it keeps working: purge what is removed, write, flush, reopen.
            Assert.Equal(ReplicaStatus.Ok, recovered!.Purge());
            Assert.Equal(ReplicaStatus.Ok, recovered.Write(0, new byte[] { 1, 2, 3 }));
            Assert.Equal(ReplicaStatus.Ok, recovered.Flush());
        }
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, Dir, out var again, Options));
        again!.Dispose();
        return fs.Operations;
    }
}
