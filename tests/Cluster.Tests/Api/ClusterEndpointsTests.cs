using System.Net;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.Volume.Protocol;
using Akka.Cluster;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Cluster.Tests.Api;

/// <summary>A one-member cluster on 127.0.0.1 whose member carries the role <c>node:n1</c>.</summary>
public sealed class ClusterEndpointsTests(ITestOutputHelper output) : GatewayTestKit(output, """
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
    akka.cluster.roles = ["node:n1", "storage"]
    akka.cluster.min-nr-of-members = 1
    akka.coordinated-shutdown.exit-clr = off
    """)
{
    private async Task JoinSelfAsync()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        await AwaitConditionAsync(() => Task.FromResult(cluster.SelfMember.Status == MemberStatus.Up), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Show_lists_members_by_node_id_with_the_leader()
    {
        await JoinSelfAsync();
        var info = await ReadAsync<ClusterInfo>(await Http.GetAsync("/cluster"));
        Assert.Equal(("test-cluster", "n1", "n1"), (info.ClusterId, info.SelfNode, info.Leader));
        var member = Assert.Single(info.Members);
        Assert.Equal(("n1", "up"), (member.Node, member.Status));
        Assert.Contains("storage", member.Roles);
        Assert.StartsWith("akka.tcp://", member.Address);
    }

    [Fact]
    public async Task Leave_of_an_unknown_node_is_404_and_of_a_member_is_202()
    {
        await JoinSelfAsync();
        await AssertProblemAsync(await Http.PostAsync("/cluster/members/n9/leave", null), HttpStatusCode.NotFound);
        await AssertProblemAsync(await Http.PostAsync("/cluster/members/n9/down", null), HttpStatusCode.NotFound);

        // A member that holds replicas may not leave: it is to be evicted first.
        var refused = Http.PostAsync("/cluster/members/n1/leave", null);
        await Registry.ExpectMsgAsync<RegistryProtocol.ListVolumes>();
        Registry.Reply(new RegistryProtocol.VolumeNames(["vol-a"]));
        await Volumes.ExpectMsgAsync<VolumeProtocol.Get>();
        Volumes.Reply(View("vol-a"));
        Assert.Contains("pbm node evict n1", await AssertProblemAsync(await refused, HttpStatusCode.Conflict));

        var leaving = Http.PostAsync("/cluster/members/n1/leave", null);
        await Registry.ExpectMsgAsync<RegistryProtocol.ListVolumes>();
        Registry.Reply(new RegistryProtocol.VolumeNames([]));
        Assert.Equal(HttpStatusCode.Accepted, (await leaving).StatusCode);
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        await AwaitConditionAsync(() => Task.FromResult(cluster.SelfMember.Status >= MemberStatus.Leaving), TimeSpan.FromSeconds(10));
    }
}
