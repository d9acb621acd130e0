using System.Net;
using ActorStore.Blocks;
using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;
using ActorStore.Volume.Replicas;
using Xunit;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>
/// A real replica on ext4 (epoch 1) and, on demand, a node data port on 127.0.0.1 that offers it, with a
/// cluster secret; all removed on disposal.
/// </summary>
public sealed class ReplicaBed : IAsyncDisposable
{
    public const string ReplicaName = "r1";
    private readonly TempDirectory _temp = new();
    private readonly LocalReplicas _locals = new();
    private NodeDataServer? _server;

    public const long DefaultSize = 64 << 20;

    public ReplicaBed(long size = DefaultSize)
    {
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(LinuxFileSystem.Instance, _temp.Sub("replica"), new ReplicaIdentity(VolumeId, ReplicaName, 1), size, out var replica));
        Replica = replica!;
        _locals.Add(ReplicaName, Replica);
    }

    public DataSecret Secret { get; } = DataSecret.Create();

    public Guid VolumeId { get; } = Guid.NewGuid();

    public Replica Replica { get; }

    public NodeDataServer Server => _server ?? throw new InvalidOperationException("no server started");

    public IPEndPoint Endpoint => Server.Endpoint!;

    /// <summary>What the data port refused, one line each.</summary>
    public List<string> Refusals { get; } = [];

    public async Task<IPEndPoint> StartServerAsync(DataServerOptions? options = null)
    {
        _server = new NodeDataServer(_locals, new IPEndPoint(IPAddress.Loopback, 0), Secret, options, line => { lock (Refusals) Refusals.Add(line); });
        return await _server.StartAsync();
    }

    /// <summary>
    /// Connects as an engine of <paramref name="epoch"/>; unless <paramref name="open"/> is false the replica first
    /// accepts that epoch as the controller's OpenReplica would (the handshake itself never raises it).
    /// </summary>
    public async Task<(ReplicaStatus Status, SocketReplicaChannel? Channel)> ConnectAsync(
        long epoch, ReplicaChannelOptions? options = null, Guid? volumeId = null, string replicaId = ReplicaName, bool open = true, DataSecret? secret = null)
    {
        if (open && Replica.AcceptEpoch(epoch) is var accepted && accepted != ReplicaStatus.Ok && accepted != ReplicaStatus.StaleEpoch)
            Assert.Fail($"the replica did not accept epoch {epoch}: {accepted}");
        return await SocketReplicaChannel.ConnectAsync(Endpoint, secret ?? Secret, volumeId ?? VolumeId, replicaId, epoch, options);
    }

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
