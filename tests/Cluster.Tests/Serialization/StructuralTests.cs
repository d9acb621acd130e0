using Xunit;
using Xunit.Sdk;
using static ActorStore.Cluster.Protocol.NodeProtocol;

namespace ActorStore.Cluster.Tests.Serialization;

/// <summary>The comparison the round-trip tests rely on must see a difference deep in a list.</summary>
public sealed class StructuralTests
{
    [Fact]
    public void A_difference_inside_a_nested_list_is_reported_with_its_path()
    {
        var disk = new DiskView("d1", "n1", "/data", true, 100, 50, 10, 1);
        var a = new NodeList([new NodeView("n1", "addr", "up", true, null, null, [disk])]);
        var b = new NodeList([new NodeView("n1", "addr", "up", true, null, null, [disk with { ScheduledBytes = 11 }])]);
        var error = Assert.Throws<XunitException>(() => Structural.AssertEqual(a, b));
        Assert.Contains("$.Nodes[0].Disks[0].ScheduledBytes", error.Message);
        Structural.AssertEqual(a, a with { Nodes = [a.Nodes[0] with { Disks = [disk with { }] }] });
    }
}
