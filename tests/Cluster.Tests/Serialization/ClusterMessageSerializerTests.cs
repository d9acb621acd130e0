using ActorStore.Cluster.Protocol;
using Xunit;

namespace ActorStore.Cluster.Tests.Serialization;

public sealed class ClusterMessageSerializerTests(SerializationSystem fixture) : IClassFixture<SerializationSystem>
{
    private static readonly Type Marker = typeof(IClusterMessage);

    public static TheoryData<string> MessageTypes() => new(Samples.ConcreteTypesOf(Marker).Select(t => t.FullName!));

    [Fact]
    public void The_node_assembly_has_messages_to_test() => Assert.True(Samples.ConcreteTypesOf(Marker).Count() > 10);

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void Every_cluster_message_round_trips_through_the_configured_serializer(string typeName)
    {
        var type = Marker.Assembly.GetType(typeName, throwOnError: true)!;
        MessageRoundTrip.AssertRoundTrips(fixture.System, Samples.Create(type), typeof(ClusterMessageSerializer));
    }

    [Fact]
    public void Manifests_are_unique()
    {
        var serializer = (ClusterMessageSerializer)fixture.System.Serialization.FindSerializerForType(typeof(NodeProtocol.ListNodes));
        var manifests = Samples.ConcreteTypesOf(Marker).Select(t => serializer.Manifest(Samples.Create(t))).ToArray();
        Assert.Equal(manifests.Length, manifests.Distinct().Count());
        Assert.Contains("NodeProtocol.DiskRemoved", manifests);
        Assert.DoesNotContain("NodeEvents.DiskRemoved", manifests); // an event: the event serializer writes it
    }
}
