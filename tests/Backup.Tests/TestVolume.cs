using System.Security.Cryptography;
using ActorStore.Blocks;
using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Backup.Tests;

/// <summary>A replica on the real file system to back up from or restore into, with helpers to fill it and read it back.</summary>
public sealed class TestVolume : IDisposable
{
    public const int Mib = 1 << 20;
    private readonly TempDirectory _dir = new();

    public TestVolume(long size, string name = "v")
    {
        Name = name;
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(LinuxFileSystem.Instance, _dir.Sub("r"), new ReplicaIdentity(Guid.NewGuid(), name + "-r", 1), size, out var r));
        Replica = r!;
    }

    public string Name { get; }

    public Replica Replica { get; }

    public long Size => Replica.Size;

    public static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public void Write(long offset, int length, int seed) => Assert.Equal(ReplicaStatus.Ok, Replica.Write(offset, Pattern(length, seed)));

    public void Snapshot(string name) => Assert.Equal(ReplicaStatus.Ok, Replica.Snapshot(name));

    /// <summary>A backup request for <paramref name="snapshot"/>, incremental from <paramref name="base"/>'s snapshot when given.</summary>
    public BackupRequest Request(string snapshot, Records.BackupRecord? @base = null, int blockSize = 2 * Mib)
    {
        var request = SnapshotSource.Plan(Replica, Name, Replica.Identity.VolumeId, snapshot, @base, "test-node", new Dictionary<string, string>(), blockSize, out var why);
        Assert.True(request is not null, why);
        Assert.Equal(@base?.Id, request.Base?.Id); // the tests' bases are all usable
        return request;
    }

    public SnapshotSource Source(string snapshot)
    {
        Assert.Equal(ReplicaStatus.Ok, Replica.OpenSnapshot(snapshot, out var reader));
        return new SnapshotSource(reader!, $"snapshot {snapshot} of {Name}");
    }

    /// <summary>Restores a backup of this volume into a fresh replica of its size and hashes what that replica reads.</summary>
    public async Task<string> RestoredSha256Async(BackupStore store, string backupId)
    {
        using var restored = new TestVolume(Size, "restored");
        await store.RestoreAsync(Name, backupId, new ReplicaSink(restored.Replica));
        return restored.Sha256();
    }

    public string Sha256(string? snapshot = null)
    {
        var bytes = new byte[Size];
        if (snapshot is null) Assert.Equal(ReplicaStatus.Ok, Replica.Read(0, bytes));
        else
        {
            Assert.Equal(ReplicaStatus.Ok, Replica.OpenSnapshot(snapshot, out var reader));
            Assert.Equal(ReplicaStatus.Ok, reader!.Read(0, bytes));
        }
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    public void Dispose()
    {
        Replica.Dispose();
        _dir.Dispose();
    }
}

/// <summary>Restores into a replica's head, noting every write (a test checks what a failed restore wrote).</summary>
public sealed class ReplicaSink(Replica replica) : IRestoreSink
{
    public List<long> Written { get; } = [];

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancel)
    {
        lock (Written) Written.Add(offset);
        Assert.Equal(ReplicaStatus.Ok, replica.Write(offset, data.Span));
        return ValueTask.CompletedTask;
    }

    public ValueTask ZeroAsync(long offset, long length, CancellationToken cancel)
    {
        Assert.Equal(ReplicaStatus.Ok, replica.WriteZeroes(offset, length));
        return ValueTask.CompletedTask;
    }
}
