using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace ActorStore.Volume.Serialization;

/// <summary>
/// Serializes a module's messages and events as JSON under a short manifest per type
/// (<c>Outer.Type</c>, e.g. <c>VolumeEvents.CreateRequested</c>). Manifests are names persisted in
/// the journal: renaming a record breaks old journals, so add new records instead. Every type that
/// implements the module's marker interface is known; anything else is a bug and throws.
/// </summary>
public abstract class JsonMessageSerializer : SerializerWithStringManifest
{
    private readonly JsonSerializerOptions _options;
    private readonly Dictionary<string, Type> _types;
    private readonly Dictionary<Type, string> _manifests;

    /// <param name="legacyEvents">
    /// Events of the module that journals written before the event serializers existed hold under this serializer,
    /// by type name: still read (never written) here, so those journals recover.
    /// </param>
    protected JsonMessageSerializer(ExtendedActorSystem system, Type marker, Type? legacyEvents = null) : base(system)
    {
        _options = new JsonSerializerOptions
        {
            Converters = { new JsonStringEnumConverter() },
            IncludeFields = false,
        };
        var types = ConcreteTypes(marker).ToArray();
        _manifests = types.ToDictionary(t => t, ManifestOf);
        _types = _manifests.ToDictionary(p => p.Value, p => p.Key);
        if (legacyEvents is null) return;
        foreach (var t in ConcreteTypes(legacyEvents)) _types.TryAdd(ManifestOf(t), t);
    }

    private static IEnumerable<Type> ConcreteTypes(Type marker) =>
        marker.Assembly.GetTypes().Where(t => !t.IsAbstract && !t.IsInterface && marker.IsAssignableFrom(t));

    public IReadOnlyCollection<Type> KnownTypes => _manifests.Keys;

    public override string Manifest(object o) =>
        _manifests.TryGetValue(o.GetType(), out var m) ? m : throw new ArgumentException($"{o.GetType()} is not a message of this serializer");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        _types.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, _options) ?? throw new SerializationException($"empty {manifest}")
            : throw new SerializationException($"unknown manifest '{manifest}'");

    private static string ManifestOf(Type t) => t.DeclaringType is { } outer ? $"{outer.Name}.{t.Name}" : t.Name;
}
