using System.Net;
using System.Net.Http.Json;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.Cluster.Protocol;
using ActorStore.Volume.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Cluster.Tests.Api;

public sealed class NodeEndpointsTests(ITestOutputHelper output) : GatewayTestKit(output)
{
    [Fact]
    public async Task List_maps_nodes_and_their_disks()
    {
        var (_, response) = await ExchangeAsync<NodeProtocol.ListNodes>(Http.GetAsync("/nodes"), Nodes,
            _ => new NodeProtocol.NodeList([Node("n1", "127.0.0.1:10809"), Node("n2")]));
        var nodes = await ReadAsync<List<NodeInfo>>(response);
        Assert.Equal(["n1", "n2"], nodes.Select(n => n.Id));
        Assert.Equal("127.0.0.1:10809", nodes[0].NbdEndpoint);
        var disk = Assert.Single(nodes[1].Disks);
        Assert.Equal(("d1", "n2", "/data/d1", 1L << 40, 1L << 39, 1L << 30, 1), (disk.Name, disk.Node, disk.Path, disk.CapacityBytes, disk.AvailableBytes, disk.ScheduledBytes, disk.ReplicaCount));
    }

    [Fact]
    public async Task An_unknown_node_is_404()
    {
        var (_, response) = await ExchangeAsync<NodeProtocol.GetNode>(Http.GetAsync("/nodes/n9"), Nodes,
            g => new NodeProtocol.NodeRefused(g.Node, VolumeError.NotFound, "no node 'n9'; pbm node list shows the nodes"));
        Assert.Equal("no node 'n9'; pbm node list shows the nodes", await AssertProblemAsync(response, HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Add_disk_answers_201_with_the_disk()
    {
        var (message, response) = await ExchangeAsync<NodeProtocol.AddDisk>(
            Http.PostAsJsonAsync("/nodes/n2/disks", new AddDisk("/mnt/ssd1", "ssd1")), Nodes, a => Disk(a.Node, a.Name!));
        Assert.Equal(new NodeProtocol.AddDisk("n2", "/mnt/ssd1", "ssd1", true), message);
        Assert.Equal("ssd1", (await ReadAsync<DiskInfo>(response, HttpStatusCode.Created)).Name);
        Assert.Equal("/nodes/n2/disks/ssd1", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("""{"path":"relative/dir"}""")]
    [InlineData("""{"path":""}""")]
    [InlineData("""{"path":"/mnt/x","name":"Bad Name"}""")]
    public async Task A_bad_disk_is_400_before_any_ask(string body)
    {
        await AssertProblemAsync(await Http.PostAsync("/nodes/n2/disks", Json(body)), HttpStatusCode.BadRequest);
        await Nodes.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Remove_disk_answers_204_and_a_disk_in_use_is_409()
    {
        var (message, response) = await ExchangeAsync<NodeProtocol.RemoveDisk>(Http.DeleteAsync("/nodes/n2/disks/d1"), Nodes,
            r => new NodeProtocol.DiskRemoved(r.Node, r.Disk));
        Assert.Equal(new NodeProtocol.RemoveDisk("n2", "d1"), message);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        (_, response) = await ExchangeAsync<NodeProtocol.RemoveDisk>(Http.DeleteAsync("/nodes/n2/disks/d2"), Nodes,
            r => new NodeProtocol.NodeRefused(r.Node, VolumeError.WrongState, "disk 'd2' holds 3 replicas; evict them first"));
        await AssertProblemAsync(response, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Schedule_switches_reach_the_node_directory()
    {
        var (node, response) = await ExchangeAsync<NodeProtocol.SetNodeSchedulable>(
            Http.PostAsJsonAsync("/nodes/n2/schedule", new SetSchedulable(false)), Nodes, s => Node(s.Node));
        Assert.Equal(new NodeProtocol.SetNodeSchedulable("n2", false), node);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var (disk, diskResponse) = await ExchangeAsync<NodeProtocol.SetDiskSchedulable>(
            Http.PostAsJsonAsync("/nodes/n2/disks/d1/schedule", new SetSchedulable(false)), Nodes, s => Disk(s.Node, s.Disk));
        Assert.Equal(new NodeProtocol.SetDiskSchedulable("n2", "d1", false), disk);
        Assert.Equal(HttpStatusCode.OK, diskResponse.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("d1")]
    public async Task Evict_closes_the_node_or_disk_to_new_replicas_then_tells_every_volume_and_says_what_moves_when(string? disk)
    {
        var request = Http.PostAsync(disk is null ? "/nodes/n2/evict" : $"/nodes/n2/disks/{disk}/evict", null);
        var closed = await Nodes.ExpectMsgAsync<object>();
        Assert.Equal(disk is null ? new NodeProtocol.SetNodeSchedulable("n2", false) : new NodeProtocol.SetDiskSchedulable("n2", disk, false), closed);
        Nodes.Reply(disk is null ? Node("n2") : Disk("n2", disk));
        await Registry.ExpectMsgAsync<RegistryProtocol.ListVolumes>();
        Registry.Reply(new RegistryProtocol.VolumeNames(["vol-b", "vol-a", "vol-c"]));
        for (var i = 0; i < 3; i++)
        {
            var evict = await Volumes.ExpectMsgAsync<VolumeProtocol.EvictReplicas>();
            Assert.Equal(("n2", disk), (evict.Node, evict.Disk));
            Volumes.Reply(new VolumeProtocol.EvictionAccepted(evict.Volume, evict.Volume == "vol-c" ? 0 : 1, Attached: evict.Volume == "vol-a"));
        }
        var eviction = await ReadAsync<EvictionInfo>(await request);
        Assert.Equal(("n2", disk, 2), (eviction.Node, eviction.Disk, eviction.Replicas));
        Assert.Equal(["vol-a", "vol-b"], eviction.Moving);
        Assert.Equal(["vol-b"], eviction.Offline);
    }
}
