using System.Text.Json;
using System.Text.Json.Serialization;
using ActorStore.Backup.Targets;

namespace ActorStore.Backup.Records;

/// <summary>How records are written in the target: UTF-8 JSON, camel case, so an operator can read them with any tool.</summary>
public static class RecordJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Write<T>(T record) => JsonSerializer.SerializeToUtf8Bytes(record, Options);

    /// <summary>The record, or why it cannot be read (a truncated or foreign file).</summary>
    public static T Read<T>(PooledBytes bytes, string key)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes.Span, Options) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new BackupCorruptException($"the record {key} in the backup target is not readable ({e.Message}); it was not written by this store, or was damaged");
        }
    }
}
