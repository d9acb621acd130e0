using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace ActorStore.Volume.Serialization;

/// <summary>
/// Persisted events and snapshots (DESIGN §6). Each type has a short manifest fixed for good in the table a
/// module gives ("VA", "VB" …), never derived from a type name, so renaming or moving a record breaks no
/// journal. The bytes are one format byte and the record as JSON. A changed event is a new record under a new
/// manifest; the old one stays in the table, readable, and is applied as it always was.
/// </summary>
public abstract class EventSerializer : SerializerWithStringManifest
{
    /// <summary>The envelope's format: a newer one is refused by name, never misread.</summary>
    public const byte Format = 1;

    private static readonly JsonSerializerOptions Options = new() { Converters = { new JsonStringEnumConverter() } };

    private readonly Dictionary<string, Type> _types;
    private readonly Dictionary<Type, string> _manifests;

    protected EventSerializer(ExtendedActorSystem system, IReadOnlyDictionary<string, Type> table) : base(system)
    {
        _types = new Dictionary<string, Type>(table, StringComparer.Ordinal);
        _manifests = table.ToDictionary(p => p.Value, p => p.Key);
    }

    /// <summary>Manifest → type, as written in the journal.</summary>
    public IReadOnlyDictionary<string, Type> Table => _types;

    public override string Manifest(object o) =>
        _manifests.TryGetValue(o.GetType(), out var m) ? m : throw new ArgumentException($"{o.GetType()} has no manifest in {GetType().Name}: add one to its table");

    public override byte[] ToBinary(object obj)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);
        var bytes = new byte[json.Length + 1];
        bytes[0] = Format;
        json.CopyTo(bytes, 1);
        return bytes;
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!_types.TryGetValue(manifest, out var type)) throw new SerializationException($"unknown event manifest '{manifest}' ({GetType().Name})");
        if (bytes.Length == 0 || bytes[0] != Format)
            throw new SerializationException($"event '{manifest}' has format {(bytes.Length == 0 ? "none" : bytes[0])}; this build reads format {Format}");
        return JsonSerializer.Deserialize(bytes.AsSpan(1), type, Options) ?? throw new SerializationException($"empty event '{manifest}'");
    }
}
