using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>Every bad request gets its typed status and changes no file.</summary>
public sealed class BadInputTests : IDisposable
{
    private const long Size = 1 << 20;
    private readonly TempDirectory _temp = new();
    private readonly IFileSystem _fs = LinuxFileSystem.Instance;
    private readonly Replica _replica;

    public BadInputTests()
    {
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(_fs, _temp.Sub("r"), new ReplicaIdentity(Guid.NewGuid(), "r1", 5), Size, out var replica));
        _replica = replica!;
        Assert.Equal(ReplicaStatus.Ok, _replica.Write(0, new byte[8192]));
        Assert.Equal(ReplicaStatus.Ok, _replica.Snapshot("base"));
        Assert.Equal(ReplicaStatus.Ok, _replica.Write(4096, new byte[] { 7 }));
        Assert.Equal(ReplicaStatus.Ok, _replica.Flush());
    }

    public void Dispose()
    {
        _replica.Dispose();
        _temp.Dispose();
    }

    private void Refused(ReplicaStatus expected, Func<ReplicaStatus> attempt)
    {
        var before = Fingerprint.Of(_fs, _replica.Directory);
        Assert.Equal(expected, attempt());
        Assert.Equal(before, Fingerprint.Of(_fs, _replica.Directory));
    }

    public static TheoryData<long, int> BadRanges => new()
    {
        { -1, 10 }, { Size, 1 }, { Size - 10, 11 }, { long.MaxValue, 1 }, { long.MinValue, 4096 }, { Size + 4096, 0 },
    };

    [Theory]
    [MemberData(nameof(BadRanges))]
    public void Io_outside_the_volume_is_out_of_range(long offset, int length)
    {
        Refused(ReplicaStatus.OutOfRange, () => _replica.Write(offset, new byte[length]));
        Refused(ReplicaStatus.OutOfRange, () => _replica.Read(offset, new byte[length]));
        Refused(ReplicaStatus.OutOfRange, () => _replica.WriteZeroes(offset, length));
        Refused(ReplicaStatus.OutOfRange, () => _replica.Trim(offset, length));
        Refused(ReplicaStatus.OutOfRange, () => _replica.GetAllocation(offset, length, []));
    }

    [Fact]
    public void Negative_lengths_are_out_of_range()
    {
        Refused(ReplicaStatus.OutOfRange, () => _replica.WriteZeroes(0, -4096));
        Refused(ReplicaStatus.OutOfRange, () => _replica.Trim(4096, -1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("-leading-dash")]
    [InlineData("has space")]
    [InlineData("dots.not.allowed")]
    [InlineData("../escape")]
    [InlineData("trailing-newline\n")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public void Invalid_names_are_refused(string name)
    {
        Refused(ReplicaStatus.InvalidName, () => _replica.Snapshot(name));
        Refused(ReplicaStatus.InvalidName, () => _replica.DeleteSnapshot(name));
        Refused(ReplicaStatus.InvalidName, () => _replica.Revert(name));
        Refused(ReplicaStatus.InvalidName, () => _replica.OpenSnapshot(name, out _));
    }

    [Fact]
    public void Unknown_duplicate_and_removed_snapshots_are_refused()
    {
        Refused(ReplicaStatus.NotFound, () => _replica.DeleteSnapshot("nope"));
        Refused(ReplicaStatus.NotFound, () => _replica.Revert("nope"));
        Refused(ReplicaStatus.AlreadyExists, () => _replica.Snapshot("base"));
        Assert.Equal(ReplicaStatus.Ok, _replica.DeleteSnapshot("base"));
        Refused(ReplicaStatus.SnapshotRemoved, () => _replica.Revert("base"));
        Refused(ReplicaStatus.SnapshotRemoved, () => _replica.Snapshot("base")); // its name stays taken until it is purged
    }

    [Fact]
    public void Expand_refuses_shrinking_unaligned_and_absurd_sizes()
    {
        Refused(ReplicaStatus.InvalidArgument, () => _replica.Expand(Size - 4096));
        Refused(ReplicaStatus.InvalidArgument, () => _replica.Expand(Size + 100));
        Refused(ReplicaStatus.OutOfRange, () => _replica.Expand(-4096));
        Refused(ReplicaStatus.OutOfRange, () => _replica.Expand(long.MaxValue & ~4095L));
    }

    [Fact]
    public void Create_refuses_bad_sizes_and_an_existing_replica()
    {
        var identity = new ReplicaIdentity(Guid.NewGuid(), "r2", 1);
        Assert.Equal(ReplicaStatus.OutOfRange, Replica.Create(_fs, _temp.Sub("x"), identity, 0, out _));
        Assert.Equal(ReplicaStatus.OutOfRange, Replica.Create(_fs, _temp.Sub("x"), identity, -4096, out _));
        Assert.Equal(ReplicaStatus.InvalidArgument, Replica.Create(_fs, _temp.Sub("x"), identity, 4097, out _));
        Assert.Equal(ReplicaStatus.InvalidName, Replica.Create(_fs, _temp.Sub("x"), identity with { ReplicaId = "R2" }, 4096, out _));
        Refused(ReplicaStatus.AlreadyExists, () => Replica.Create(_fs, _replica.Directory, identity, Size, out _));
    }

    [Fact]
    public void The_251st_snapshot_layer_is_refused()
    {
        for (var i = _replica.Snapshots().Count; i < 250; i++) Assert.Equal(ReplicaStatus.Ok, _replica.Snapshot($"s{i}"));
        Refused(ReplicaStatus.TooManySnapshots, () => _replica.Snapshot("one-too-many"));
        // Still fully usable at the limit, and after a reopen.
        Assert.Equal(ReplicaStatus.Ok, _replica.Write(8192, new byte[] { 1, 2, 3 }));
        var back = new byte[3];
        Assert.Equal(ReplicaStatus.Ok, _replica.Read(8192, back));
        Assert.Equal(new byte[] { 1, 2, 3 }, back);
    }

    [Fact]
    public void An_older_epoch_is_refused_and_a_newer_one_is_remembered()
    {
        Refused(ReplicaStatus.StaleEpoch, () => _replica.AcceptEpoch(4));
        Assert.Equal(ReplicaStatus.Ok, _replica.AcceptEpoch(9));
        var dir = _replica.Directory;
        _replica.Dispose();
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(_fs, dir, out var reopened));
        using (reopened)
        {
            Assert.Equal(9, reopened!.Identity.Epoch);
            Assert.Equal(ReplicaStatus.StaleEpoch, reopened.AcceptEpoch(8));
        }
    }
}
