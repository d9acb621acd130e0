using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;

namespace ActorStore.Volume.Serialization;

/// <summary>An actor reference as its full path with the node's address, resolved back on the receiving node (the controller watches its engine this way).</summary>
internal sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
{
    public override bool CanConvert(Type typeToConvert) => typeof(IActorRef).IsAssignableFrom(typeToConvert);

    public override IActorRef? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() is { } path ? system.Provider.ResolveActorRef(path) : null;

    public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Akka.Serialization.Serialization.SerializedActorPath(value));
}
