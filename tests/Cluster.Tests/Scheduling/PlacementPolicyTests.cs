using ActorStore.Cluster.Scheduling;
using ActorStore.Volume.Protocol;
using Xunit;
using static ActorStore.Cluster.Protocol.NodeProtocol;
using static ActorStore.Volume.Protocol.PlacementProtocol;

namespace ActorStore.Cluster.Tests.Scheduling;

public sealed class PlacementPolicyTests
{
    private const long GiB = 1L << 30;

    private static readonly PlacementPolicy Policy = new(overProvisioningPercent: 100, minimalAvailablePercent: 10);

    private static DiskView Disk(string node, string name, long capacity = 100 * GiB, long available = 100 * GiB, long scheduled = 0, bool schedulable = true) =>
        new(name, node, $"/data/{name}", schedulable, capacity, available, scheduled, 0);

    private static NodeView Node(string id, params DiskView[] disks) => new(id, $"akka.tcp://actorstore@{id}:4053", "up", true, null, null, disks);

    private static PlaceReplicas Request(long size, int count, params Placement[] avoid) => new("vol", size, count, avoid);

    private static IReadOnlyList<Placement> Placed(object answer) => Assert.IsType<Placed>(answer).Placements;

    [Fact]
    public void Replicas_go_to_distinct_disks_on_distinct_nodes_when_there_are_enough()
    {
        var nodes = new[] { Node("n1", Disk("n1", "a"), Disk("n1", "b")), Node("n2", Disk("n2", "a")), Node("n3", Disk("n3", "a")) };
        var placements = Placed(Policy.Place(Request(GiB, 3), nodes));
        Assert.Equal(3, placements.Distinct().Count());
        Assert.Equal(["n1", "n2", "n3"], placements.Select(p => p.Node).Order());
    }

    [Fact]
    public void A_single_node_with_two_disks_holds_two_replicas_on_different_disks()
    {
        var placements = Placed(Policy.Place(Request(GiB, 2), [Node("n1", Disk("n1", "a"), Disk("n1", "b"))]));
        Assert.Equal([new Placement("n1", "a"), new Placement("n1", "b")], placements.OrderBy(p => p.Disk));
    }

    [Fact]
    public void Nodes_of_existing_replicas_are_avoided_when_another_node_has_room()
    {
        var nodes = new[] { Node("n1", Disk("n1", "a"), Disk("n1", "b", scheduled: 0)), Node("n2", Disk("n2", "a", scheduled: 90 * GiB)) };
        var placements = Placed(Policy.Place(Request(GiB, 1, new Placement("n1", "a")), nodes));
        Assert.Equal([new Placement("n2", "a")], placements);
    }

    [Fact]
    public void The_disk_of_an_existing_replica_is_never_used_again()
    {
        var answer = Policy.Place(Request(GiB, 1, new Placement("n1", "a")), [Node("n1", Disk("n1", "a"))]);
        Assert.Equal(VolumeError.NoSpace, Assert.IsType<NotPlaced>(answer).Error);
    }

    [Fact]
    public void The_least_used_disk_comes_first()
    {
        var nodes = new[]
        {
            Node("n1", Disk("n1", "a", scheduled: 50 * GiB)),
            Node("n2", Disk("n2", "a", capacity: 200 * GiB, available: 200 * GiB, scheduled: 60 * GiB)),
            Node("n3", Disk("n3", "a", scheduled: 40 * GiB)),
        };
        Assert.Equal([new Placement("n2", "a"), new Placement("n3", "a")], Placed(Policy.Place(Request(GiB, 2), nodes)));
    }

    [Fact]
    public void Scheduled_space_may_not_pass_the_over_provisioning_limit()
    {
        var disk = Disk("n1", "a", scheduled: 90 * GiB);
        Assert.IsType<NotPlaced>(new PlacementPolicy(100, 0).Place(Request(20 * GiB, 1), [Node("n1", disk)]));
        Assert.IsType<Placed>(new PlacementPolicy(100, 0).Place(Request(10 * GiB, 1), [Node("n1", disk)]));
        Assert.IsType<Placed>(new PlacementPolicy(200, 0).Place(Request(20 * GiB, 1), [Node("n1", disk)]));
    }

    [Fact]
    public void A_disk_below_the_minimal_available_space_gets_no_replica()
    {
        var nodes = new[] { Node("n1", Disk("n1", "full", available: 5 * GiB)), Node("n2", Disk("n2", "roomy", scheduled: 80 * GiB)) };
        Assert.Equal([new Placement("n2", "roomy")], Placed(Policy.Place(Request(GiB, 1), nodes)));
        Assert.IsType<NotPlaced>(Policy.Place(Request(GiB, 1), [nodes[0]]));
    }

    [Fact]
    public void Unschedulable_or_down_nodes_and_unschedulable_disks_are_skipped()
    {
        var nodes = new[]
        {
            Node("n1", Disk("n1", "a")) with { Schedulable = false },
            Node("n2", Disk("n2", "a")) with { Status = "unreachable" },
            Node("n3", Disk("n3", "off", schedulable: false), Disk("n3", "on", scheduled: 99 * GiB / 2)),
        };
        Assert.Equal([new Placement("n3", "on")], Placed(Policy.Place(Request(GiB, 1), nodes)));
        Assert.IsType<NotPlaced>(Policy.Place(Request(GiB, 2), nodes));
    }

    [Fact]
    public void A_volume_bigger_than_any_disk_is_not_placed_and_the_detail_says_what_to_do()
    {
        var nodes = new[] { Node("n1", Disk("n1", "a", capacity: 10 * GiB, available: 10 * GiB)), Node("n2", Disk("n2", "a", capacity: 20 * GiB, available: 20 * GiB)) };
        var refused = Assert.IsType<NotPlaced>(new PlacementPolicy(500, 0).Place(Request(50 * GiB, 1), nodes));
        Assert.Equal("vol", refused.Volume);
        Assert.Equal(VolumeError.NoSpace, refused.Error);
        // Found by trying it: the detail gave a "largest room" figure that would have fit; the disks are what is too small.
        Assert.Contains("a 50 GiB volume is larger than any schedulable disk (the largest holds 20 GiB)", refused.Detail);
        Assert.Contains("add a larger disk", refused.Detail);
    }

    [Fact]
    public void No_schedulable_disk_at_all_says_how_to_add_one()
    {
        var refused = Assert.IsType<NotPlaced>(Policy.Place(Request(GiB, 1), [Node("n1")]));
        Assert.Equal(VolumeError.NoSpace, refused.Error);
        Assert.Contains("pbm node disk add", refused.Detail);
    }

    [Fact]
    public void Placement_is_deterministic_for_equal_disks()
    {
        var nodes = new[] { Node("n2", Disk("n2", "b"), Disk("n2", "a")), Node("n1", Disk("n1", "a")) };
        Assert.Equal([new Placement("n1", "a"), new Placement("n2", "a")], Placed(Policy.Place(Request(GiB, 2), nodes)));
    }

    [Fact]
    public void A_refusal_counts_the_disks_by_what_keeps_each_from_the_volume()
    {
        var nodes = new[]
        {
            Node("n1", Disk("n1", "a", scheduled: 95 * GiB), Disk("n1", "b", available: 5 * GiB)),
            Node("n2", Disk("n2", "a", capacity: 10 * GiB, available: 10 * GiB)),
        };
        var answer = Assert.IsType<NotPlaced>(Policy.Place(Request(20 * GiB, 2), nodes));
        Assert.Contains("0 of 3 schedulable disks", answer.Detail);
        Assert.Contains("1 smaller than the volume", answer.Detail);
        Assert.Contains("1 with less than 10% free", answer.Detail);
        Assert.Contains("1 already scheduled up to 100%", answer.Detail);
    }
}
