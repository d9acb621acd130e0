using System.Text.Json.Serialization;

namespace ActorStore.Backup.Records;

/// <summary>One block of a backed-up volume: its index (offset / block size) and the hash of its content.</summary>
public readonly record struct BlockRef([property: JsonPropertyName("i")] long Index, [property: JsonPropertyName("h")] string Hash);
