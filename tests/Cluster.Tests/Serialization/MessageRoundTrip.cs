using Akka.Actor;
using Xunit;

namespace ActorStore.Cluster.Tests.Serialization;

/// <summary>What every round-trip test does: find the configured serializer, serialize with its manifest, read back, compare.</summary>
public static class MessageRoundTrip
{
    public static void AssertRoundTrips(ActorSystem system, object message, Type expectedSerializer)
    {
        var serialization = system.Serialization;
        var serializer = serialization.FindSerializerFor(message);
        Assert.IsType(expectedSerializer, serializer);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        Assert.False(string.IsNullOrEmpty(manifest));
        var bytes = serializer.ToBinary(message);
        var back = serialization.Deserialize(bytes, serializer.Identifier, manifest);
        Assert.IsType(message.GetType(), back);
        Structural.AssertEqual(message, back);
        Assert.Equal(bytes, serializer.ToBinary(back));
    }
}
