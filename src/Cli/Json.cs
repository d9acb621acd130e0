using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorStore.Cli;

/// <summary>The gateway's JSON: web defaults (camelCase, case-insensitive reads), nulls left out of requests.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly JsonWriterOptions IndentedWriter = new() { Indented = true };

    /// <summary>The body re-indented for --json; a body that is not JSON is returned as it came.</summary>
    public static string Indent(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "";
        try
        {
            using var document = JsonDocument.Parse(body);
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, IndentedWriter)) document.WriteTo(writer);
            return System.Text.Encoding.UTF8.GetString(stream.ToArray());
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
