using ActorStore.Cluster.Api;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Protocol;
using Xunit;

namespace ActorStore.Cluster.Tests.Api;

public sealed class ContractMappingTests
{
    [Theory]
    [InlineData(ReplicaMode.ReadWrite, ReplicaModes.ReadWrite)]
    [InlineData(ReplicaMode.WriteOnly, ReplicaModes.WriteOnly)]
    [InlineData(ReplicaMode.Error, ReplicaModes.Error)]
    public void Replica_modes_use_the_api_spelling(ReplicaMode mode, string expected) => Assert.Equal(expected, ContractMapping.Mode(mode));

    [Theory]
    [InlineData(VolumeStates.Attached, "n1", "nbd://h:1/v")]
    [InlineData(VolumeStates.Attaching, "n1", null)]
    [InlineData(VolumeStates.Detached, null, null)]
    public void Only_an_attached_volume_has_an_endpoint(string state, string? attachedTo, string? endpoint)
    {
        var view = new VolumeProtocol.VolumeView("v", Guid.NewGuid(), 4096, 1, state, VolumeStates.Healthy, attachedTo, 1, 0, DateTimeOffset.UnixEpoch,
            [new VolumeProtocol.ReplicaView("r1", "n1", "d1", ReplicaMode.Error, "I/O error", DateTimeOffset.UnixEpoch)], NbdEndpoint: "h:1");
        var info = ContractMapping.ToInfo(view);
        Assert.Equal(endpoint, info.Endpoint);
        Assert.Equal(("ERR", "I/O error"), (info.Replicas[0].Mode, info.Replicas[0].Failure));
    }

    [Theory]
    [InlineData(VolumeError.InvalidArgument, 400)]
    [InlineData(VolumeError.NotFound, 404)]
    [InlineData(VolumeError.WrongState, 409)]
    [InlineData(VolumeError.NoSpace, 507)]
    [InlineData(VolumeError.Unavailable, 503)]
    [InlineData(VolumeError.NotImplemented, 501)]
    [InlineData(VolumeError.Internal, 500)]
    public void Each_volume_error_has_its_status(VolumeError error, int status) => Assert.Equal(status, Problems.StatusOf(error));

    [Fact]
    public void A_huge_unaligned_size_says_the_limit_without_overflowing() =>
        Assert.Contains("at most 64 TiB", RequestValidation.Size(long.MaxValue));
}
