using System.Net;
using ActorStore.Blocks;
using ActorStore.Blocks.Devices;
using ActorStore.Volume.Replicas;
using Xunit;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>A real replica on ext4 (epoch 1) and, on demand, its data endpoint on 127.0.0.1; all removed on disposal.</summary>
public sealed class ReplicaBed : IAsyncDisposable
{
    public const string ReplicaName = "r1";
    private readonly TempDirectory _temp = new();
    private ReplicaDataServer? _server;

    public const long DefaultSize = 64 << 20;

    public ReplicaBed(long size = DefaultSize)
    {
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(LinuxFileSystem.Instance, _temp.Sub("replica"), new ReplicaIdentity(VolumeId, ReplicaName, 1), size, out var replica));
        Replica = replica!;
    }

    public Guid VolumeId { get; } = Guid.NewGuid();

    public Replica Replica { get; }

    public ReplicaDataServer Server => _server ?? throw new InvalidOperationException("no server started");

    public IPEndPoint Endpoint => Server.Endpoint!;

    public async Task<IPEndPoint> StartServerAsync(ReplicaDataServerOptions? options = null)
    {
        _server = new ReplicaDataServer(Replica, new IPEndPoint(IPAddress.Loopback, 0), options);
        return await _server.StartAsync();
    }

    public async Task<(ReplicaStatus Status, SocketReplicaChannel? Channel)> ConnectAsync(long epoch, ReplicaChannelOptions? options = null, Guid? volumeId = null, string replicaId = ReplicaName) =>
        await SocketReplicaChannel.ConnectAsync(Endpoint, volumeId ?? VolumeId, replicaId, epoch, options);

    public async Task<SocketReplicaChannel> ConnectOkAsync(long epoch, ReplicaChannelOptions? options = null)
    {
        var (status, channel) = await ConnectAsync(epoch, options);
        Assert.Equal(ReplicaStatus.Ok, status);
        return channel!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        Replica.Dispose();
        _temp.Dispose();
    }
}
