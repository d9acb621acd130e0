using ActorStore.Blocks;
using ActorStore.Volume.Replicas;
using Xunit;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>DESIGN §2: an older engine can neither connect nor go on writing once a newer one has connected.</summary>
public sealed class FencingTests : IAsyncLifetime
{
    private readonly ReplicaBed _bed = new();

    public async Task InitializeAsync() => await _bed.StartServerAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_connection_older_than_an_accepted_epoch_is_refused()
    {
        await using var current = await _bed.ConnectOkAsync(5);
        var (status, stale) = await _bed.ConnectAsync(4);
        Assert.Equal(ReplicaStatus.StaleEpoch, status);
        Assert.Null(stale);
        Assert.Equal(5, _bed.Replica.Epoch);
        await using var same = await _bed.ConnectOkAsync(5); // the same engine reconnecting is welcome
        Assert.Equal(ReplicaStatus.Ok, await same.FlushAsync());
    }

    [Fact]
    public async Task An_open_connection_is_fenced_once_a_newer_engine_connects()
    {
        await using var old = await _bed.ConnectOkAsync(5);
        var block = new byte[4096];
        Array.Fill(block, (byte)5);
        Assert.Equal(ReplicaStatus.Ok, await old.WriteAsync(0, block));

        await using var newer = await _bed.ConnectOkAsync(6);
        Array.Fill(block, (byte)55);
        Assert.Equal(ReplicaStatus.StaleEpoch, await old.WriteAsync(0, block));
        Assert.Equal(ReplicaStatus.StaleEpoch, await old.WriteZeroesAsync(0, 4096, allocate: false));
        Assert.Equal(ReplicaStatus.StaleEpoch, await old.TrimAsync(0, 4096));
        Assert.Equal(ReplicaStatus.StaleEpoch, await old.ReadAsync(0, block));
        Assert.Equal(ReplicaStatus.StaleEpoch, await old.FlushAsync());
        Assert.Equal(ReplicaStatus.StaleEpoch, await old.GetAllocationAsync(0, 4096, []));

        var back = new byte[4096];
        Assert.Equal(ReplicaStatus.Ok, await newer.ReadAsync(0, back));
        Assert.All(back, b => Assert.Equal(5, b)); // the stale write never landed
    }

    [Fact]
    public async Task A_wrong_volume_or_replica_id_is_refused_and_the_connection_closed()
    {
        var (wrongVolume, none) = await _bed.ConnectAsync(1, volumeId: Guid.NewGuid(), open: false);
        Assert.Equal(ReplicaStatus.NotFound, wrongVolume);
        Assert.Null(none);
        var (wrongReplica, none2) = await _bed.ConnectAsync(1, replicaId: "r2", open: false);
        Assert.Equal(ReplicaStatus.NotFound, wrongReplica);
        Assert.Null(none2);
        Assert.Equal(1, _bed.Replica.Epoch); // a refused engine raised nothing
        await Wait.UntilAsync(() => _bed.Server.ConnectionCount == 0, "the refused connections to close");
    }

    /// <summary>DESIGN §3: the handshake proves the cluster secret and never raises an epoch; a refusal changes nothing and is told once.</summary>
    [Fact]
    public async Task A_wrong_secret_or_a_forged_higher_epoch_is_refused_and_changes_nothing()
    {
        var meta = File.ReadAllBytes(MetaPath());
        var (wrongSecret, none) = await _bed.ConnectAsync(1, open: false, secret: DataSecret.Create());
        Assert.Equal((ReplicaStatus.InvalidArgument, (SocketReplicaChannel?)null), (wrongSecret, none));
        var (forged, none2) = await _bed.ConnectAsync(9, open: false); // the right secret, an epoch no controller opened
        Assert.Equal((ReplicaStatus.InvalidArgument, (SocketReplicaChannel?)null), (forged, none2));
        Assert.Equal(1, _bed.Replica.Epoch);
        Assert.Equal(meta, File.ReadAllBytes(MetaPath()));
        await Wait.UntilAsync(() => _bed.Server.ConnectionCount == 0, "the refused connections to close");
        lock (_bed.Refusals)
        {
            Assert.Equal(2, _bed.Refusals.Count);
            Assert.Contains("secret", _bed.Refusals[0]);
            Assert.Contains("never opened", _bed.Refusals[1]);
        }
        await using var opened = await _bed.ConnectOkAsync(1); // the real engine still gets in
    }

    private string MetaPath() => Path.Combine(_bed.Replica.Directory, "volume.meta");

    [Fact]
    public async Task Local_channels_are_fenced_like_sockets_and_by_them()
    {
        var (s5, local5) = LocalReplicaChannel.Open(_bed.Replica, 5);
        Assert.Equal(ReplicaStatus.Ok, s5);
        Assert.Equal((ReplicaStatus.StaleEpoch, (LocalReplicaChannel?)null), LocalReplicaChannel.Open(_bed.Replica, 4));
        Assert.Equal(ReplicaStatus.Ok, await local5!.WriteAsync(0, new byte[4096]));
        Assert.True(local5.TryReadCached(0, new byte[4096]));

        await using var socket6 = await _bed.ConnectOkAsync(6); // a newer engine elsewhere
        Assert.Equal(ReplicaStatus.StaleEpoch, await local5.WriteAsync(0, new byte[4096]));
        Assert.Equal(ReplicaStatus.StaleEpoch, await local5.ReadAsync(0, new byte[4096]));
        Assert.False(local5.TryReadCached(0, new byte[4096])); // not even from the page cache

        var (s7, local7) = LocalReplicaChannel.Open(_bed.Replica, 7); // and a newer local one fences the socket
        Assert.Equal(ReplicaStatus.Ok, s7);
        Assert.Equal(ReplicaStatus.StaleEpoch, await socket6.FlushAsync());
        Assert.Equal(ReplicaStatus.Ok, await local7!.FlushAsync());

        await local7.DisposeAsync();
        Assert.Equal(ReplicaStatus.IoError, await local7.FlushAsync()); // a closed channel is a lost connection
        Assert.False(local7.TryReadCached(0, new byte[4096]));
        Assert.Equal(ReplicaStatus.Ok, _bed.Replica.Flush()); // and the replica stays open: its owner closes it
    }

    [Fact]
    public async Task An_unparseable_replica_id_is_refused_before_connecting()
    {
        var (status, channel) = await _bed.ConnectAsync(7, replicaId: "");
        Assert.Equal(ReplicaStatus.InvalidArgument, status);
        Assert.Null(channel);
    }
}
