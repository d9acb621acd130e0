using ActorStore.Blocks.Devices;
using ActorStore.Blocks.Tests.Model;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>
/// Random sequences of write / zero / trim / snapshot / delete / purge / revert / expand / flush /
/// close+reopen, checked after every step against <see cref="ChainModel"/>: head, every snapshot,
/// the layer extents and the allocation map.
/// </summary>
public sealed class ReplicaPropertyTests
{
    private static readonly ReplicaIdentity Identity = new(Guid.Parse("6f1b2c3d-0000-4000-8000-000000000001"), "r1", 1);

    internal static void RunSequence(IFileSystem fs, string directory, int seed, int steps)
    {
        var rng = new Random(seed);
        var size = rng.Next(12, 40) * (long)BlockSize.Bytes;
        var model = new ChainModel(size) { MaxSnapshots = 12 };
        var options = new ReplicaOptions { MaxSnapshots = 12 };
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(fs, directory, Identity, size, out var replica, options));
        try
        {
            for (var step = 0; step < steps; step++)
            {
                var op = model.NextOperation(rng);
                var context = $"step {step} {op}";
                if (op.Kind == OpKind.Reopen)
                {
                    replica!.Dispose();
                    Assert.Equal(ReplicaStatus.Ok, Replica.Open(fs, directory, out replica, options));
                    Assert.False(replica!.OpenedAfterUncleanStop, context);
                }
                else
                {
                    var expected = model.Apply(op);
                    var actual = op.Apply(replica!);
                    Assert.True(expected == actual, $"{context}: status {actual}, model says {expected}");
                }
                ReplicaChecks.AssertMatches(replica!, model, context);
            }
        }
        finally
        {
            replica?.Dispose();
        }
    }

    [Fact]
    public void Thousand_sequences_on_the_simulated_file_system_match_the_model() =>
        TestSeeds.ForEach(1000, 1, seed => RunSequence(NewSimulated(), "/sim/replica", seed, steps: 40));

    [Fact]
    public void Sequences_on_the_real_file_system_match_the_model()
    {
        using var temp = new TempDirectory();
        TestSeeds.ForEach(60, 50_001, seed => RunSequence(LinuxFileSystem.Instance, temp.Sub($"r{seed}"), seed, steps: 40));
    }

    private static SimulatedFileSystem NewSimulated()
    {
        var fs = new SimulatedFileSystem();
        fs.CreateDirectory("/sim");
        return fs;
    }
}
