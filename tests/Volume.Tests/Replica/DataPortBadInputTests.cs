using System.Security.Cryptography;
using ActorStore.Blocks;
using ActorStore.Volume.Replicas;
using Xunit;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>
/// DESIGN §3, the data port under bad input, over real sockets to a replica on disk opened at epoch 3 by its
/// controller: no secret, a wrong secret, a forged higher epoch, a stale epoch, an unknown replica, another
/// volume, garbage before the handshake — each refused with one log line, and no file of the replica changes.
/// </summary>
public sealed class DataPortBadInputTests : IAsyncLifetime
{
    private readonly ReplicaBed _bed = new();

    public async Task InitializeAsync()
    {
        await _bed.StartServerAsync();
        Assert.Equal(ReplicaStatus.Ok, _bed.Replica.AcceptEpoch(3)); // the controller's OpenReplica
        await using var engine = await _bed.ConnectOkAsync(3);
        Assert.Equal(ReplicaStatus.Ok, await engine.WriteAsync(0, Enumerable.Repeat((byte)0x5a, 64 << 10).ToArray()));
        Assert.Equal(ReplicaStatus.Ok, await engine.FlushAsync());
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Every_kind_of_bad_handshake_is_refused_and_changes_no_file()
    {
        var before = Files();
        var attempts = new (string What, Func<Task<ReplicaStatus>> Try, ReplicaStatus Expected)[]
        {
            ("no secret", () => Connect(3, secret: new DataSecret(new byte[DataSecret.Length])), ReplicaStatus.InvalidArgument),
            ("wrong secret", () => Connect(3, secret: DataSecret.Create()), ReplicaStatus.InvalidArgument),
            ("forged higher epoch", () => Connect(4), ReplicaStatus.InvalidArgument),
            ("stale epoch", () => Connect(2), ReplicaStatus.StaleEpoch),
            ("unknown replica", () => Connect(3, replicaId: "r9"), ReplicaStatus.NotFound),
            ("another volume", () => Connect(3, volumeId: Guid.NewGuid()), ReplicaStatus.NotFound),
        };
        foreach (var (what, attempt, expected) in attempts)
            Assert.True(await attempt() == expected, $"{what}: expected {expected}");

        using (var garbage = await RawPeer.ConnectAsync(_bed.Endpoint))
        {
            await garbage.SendAsync(RandomNumberGenerator.GetBytes(300));
            Assert.Equal(0, await garbage.UntilClosedAsync());
        }

        await Wait.UntilAsync(() => _bed.Server.ConnectionCount == 0, "every refused connection to close");
        Assert.Equal(3, _bed.Replica.Epoch);
        Assert.Equal(before, Files());
        lock (_bed.Refusals) Assert.Equal(attempts.Length + 1, _bed.Refusals.Count);
        await using var engine = await _bed.ConnectOkAsync(3); // the real engine still gets in
        var back = new byte[64 << 10];
        Assert.Equal(ReplicaStatus.Ok, await engine.ReadAsync(0, back));
        Assert.All(back, b => Assert.Equal(0x5a, b));
    }

    private async Task<ReplicaStatus> Connect(long epoch, DataSecret? secret = null, string replicaId = ReplicaBed.ReplicaName, Guid? volumeId = null)
    {
        var (status, channel) = await _bed.ConnectAsync(epoch, open: false, secret: secret, replicaId: replicaId, volumeId: volumeId);
        if (channel is not null) await channel.DisposeAsync();
        return status;
    }

    /// <summary>Every file of the replica with a hash of its bytes (sparse files read as their holes' zeros).</summary>
    private SortedDictionary<string, string> Files() =>
        new(Directory.GetFiles(_bed.Replica.Directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(_bed.Replica.Directory, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);
}
