using System.Text;
using System.Text.Json;
using ActorStore.Blocks.Devices;

namespace ActorStore.Blocks.Chain;

/// <summary>
/// Small JSON metadata files with a format version and a CRC-32C of the body, replaced crash-safely:
/// write <c>name.tmp</c>, fsync it, rename over <c>name</c>, fsync the directory.
/// </summary>
internal static class MetaFile
{
    public const int FormatVersion = 1;
    public const string TempSuffix = ".tmp";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static void Write<T>(IFileSystem fs, string path, T body)
    {
        var bodyBytes = JsonSerializer.SerializeToUtf8Bytes(body, Options);
        var head = Encoding.UTF8.GetBytes($"{{\"format\":{FormatVersion},\"crc32c\":\"{Crc32C.Compute(bodyBytes):x8}\",\"body\":");
        var file = new byte[head.Length + bodyBytes.Length + 2];
        head.CopyTo(file, 0);
        bodyBytes.CopyTo(file, head.Length);
        file[^2] = (byte)'}';
        file[^1] = (byte)'\n';

        var temp = path + TempSuffix;
        try
        {
            using (var handle = fs.Open(temp, create: true))
            {
                handle.SetLength(0);
                handle.Write(0, file);
                Durably.Fsync(handle, temp);
            }
            fs.Rename(temp, path);
        }
        catch (IOException e) when (e is not FsyncFailedException)
        {
            TryDelete(fs, temp);
            throw;
        }
        Durably.FsyncDirectory(fs, Path.GetDirectoryName(path)!);
    }

    /// <summary>Reads and verifies a metadata file; anything but a valid file of our format is corruption.</summary>
    public static T Read<T>(IFileSystem fs, string path, string directory)
    {
        byte[] bytes;
        using (var handle = fs.Open(path, create: false))
        {
            var length = handle.Length;
            if (length is 0 or > 16 << 20) throw new ReplicaCorruptException(directory, $"{Path.GetFileName(path)} has length {length}");
            bytes = new byte[length];
            handle.Read(0, bytes);
        }
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            var format = root.GetProperty("format").GetInt32();
            if (format != FormatVersion) throw new ReplicaCorruptException(directory, $"{Path.GetFileName(path)} has format {format}, this build reads {FormatVersion}");
            var body = root.GetProperty("body");
            var bodyBytes = Encoding.UTF8.GetBytes(body.GetRawText());
            var expected = Convert.ToUInt32(root.GetProperty("crc32c").GetString(), 16);
            if (Crc32C.Compute(bodyBytes) != expected) throw new ReplicaCorruptException(directory, $"{Path.GetFileName(path)} fails its checksum");
            return body.Deserialize<T>(Options) ?? throw new ReplicaCorruptException(directory, $"{Path.GetFileName(path)} has an empty body");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or OverflowException)
        {
            throw new ReplicaCorruptException(directory, $"{Path.GetFileName(path)} is not valid metadata ({e.Message})");
        }
    }

    public static void TryDelete(IFileSystem fs, string path)
    {
        try
        {
            fs.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover is recognised and removed when the replica is next opened.
        }
    }
}
