using ActorStore.Volume.Protocol;
using ActorStore.Volume.Serialization;
using Xunit;

namespace ActorStore.Cluster.Tests.Serialization;

public sealed class VolumeMessageSerializerTests(SerializationSystem fixture) : IClassFixture<SerializationSystem>
{
    private static readonly Type Marker = typeof(IVolumeMessage);

    public static TheoryData<string> MessageTypes() => new(Samples.ConcreteTypesOf(Marker).Select(t => t.FullName!));

    [Fact]
    public void The_volume_assembly_has_messages_to_test() => Assert.True(Samples.ConcreteTypesOf(Marker).Count() > 20);

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void Every_volume_message_round_trips_through_the_configured_serializer(string typeName)
    {
        var type = Marker.Assembly.GetType(typeName, throwOnError: true)!;
        MessageRoundTrip.AssertRoundTrips(fixture.System, Samples.Create(type), typeof(VolumeMessageSerializer));
    }

    [Fact]
    public void Manifests_are_short_unique_and_name_the_protocol_and_the_type()
    {
        var serializer = (VolumeMessageSerializer)fixture.System.Serialization.FindSerializerForType(typeof(VolumeProtocol.Create));
        var types = Samples.ConcreteTypesOf(Marker).ToArray();
        var manifests = types.Select(t => serializer.Manifest(Samples.Create(t))).ToArray();
        Assert.Equal(manifests.Length, manifests.Distinct().Count());
        Assert.Equal("VolumeProtocol.Create", serializer.Manifest(Samples.Create(typeof(VolumeProtocol.Create))));
        Assert.Equal(types.OrderBy(t => t.FullName), serializer.KnownTypes.OrderBy(t => t.FullName));
    }

    /// <summary>STYLE: what crosses the wire or is persisted holds neither an actor reference nor a type of the replica store.</summary>
    [Fact]
    public void No_message_or_event_carries_an_actor_reference_or_a_store_type()
    {
        var bad = Samples.ConcreteTypesOf(Marker).Concat(Samples.ConcreteTypesOf(typeof(IPersistedEvent)))
            .SelectMany(t => t.GetProperties().Select(p => (Type: t, Property: p)))
            .Where(x => Forbidden(x.Property.PropertyType))
            .Select(x => $"{x.Type.FullName}.{x.Property.Name}")
            .ToArray();
        Assert.Empty(bad);

        static bool Forbidden(Type t) =>
            typeof(Akka.Actor.IActorRef).IsAssignableFrom(t)
            || t.Assembly == typeof(ActorStore.Blocks.Replica).Assembly
            || (t.IsGenericType && t.GetGenericArguments().Any(Forbidden))
            || (t.IsArray && Forbidden(t.GetElementType()!));
    }
}
