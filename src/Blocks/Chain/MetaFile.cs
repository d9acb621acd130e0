using System.Text;
using System.Text.Json;
using ActorStore.Blocks.Devices;

namespace ActorStore.Blocks.Chain;

/// <summary>
/// Small JSON metadata files with a format version and a CRC-32C of the body. Every file is padded with
/// spaces to whole 4 KiB units, so the blocks it has are all allocated and the same length can be
/// rewritten in place without new space. An existing file is replaced by writing the new content into the
/// directory's spare file (<c>meta.spare</c>), fsyncing it and swapping the two names atomically
/// (RENAME_EXCHANGE): this needs no free space, so a replica on a full disk still opens, accepts a new
/// engine and marks its snapshots removed. A new file (or a directory without a spare) is written as
/// <c>name.tmp</c>, fsynced and renamed over <c>name</c>. Either way the directory is fsynced last.
/// </summary>
internal static class MetaFile
{
    public const int FormatVersion = 1;
    public const string TempSuffix = ".tmp";
    public const string SpareFile = "meta.spare";
    private const int Unit = 4096;
    private const int EInval = 22, ENosys = 38, EOpNotSupp = 95;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static void Write<T>(IFileSystem fs, string path, T body)
    {
        var content = Encode(body, 0);
        var spare = Path.Combine(Path.GetDirectoryName(path)!, SpareFile);
        if (fs.FileExists(path) && fs.FileExists(spare) && TryReplaceBySpare(fs, path, spare, content)) return;
        ReplaceByTemp(fs, path, content);
    }

    /// <summary>Makes the directory's spare file if it has none; false when it cannot (a full disk): metadata is then replaced through temp files.</summary>
    public static bool EnsureSpare(IFileSystem fs, string directory)
    {
        var spare = Path.Combine(directory, SpareFile);
        if (fs.FileExists(spare)) return true;
        try
        {
            using (var handle = fs.Open(spare, create: true))
            {
                handle.Write(0, Padding(Unit));
                Durably.Fsync(handle, SpareFile);
            }
            Durably.FsyncDirectory(fs, directory);
            return true;
        }
        catch (IOException e) when (e is not FsyncFailedException)
        {
            TryDelete(fs, spare);
            return false;
        }
    }

    /// <summary>False when the file system cannot exchange names; the caller then writes a temp file.</summary>
    private static bool TryReplaceBySpare(IFileSystem fs, string path, string spare, byte[] content)
    {
        using (var handle = fs.Open(spare, create: false))
        {
            // At least the spare's own length, so every byte of it is rewritten and nothing stale follows the JSON.
            var image = content.Length >= handle.Length ? content : Encode(content, handle.Length);
            handle.Write(0, image);
            Durably.Fsync(handle, SpareFile);
        }
        try
        {
            fs.Exchange(spare, path);
        }
        catch (IOException e) when (e.HResult is EInval or ENosys or EOpNotSupp)
        {
            return false;
        }
        Durably.FsyncDirectory(fs, Path.GetDirectoryName(path)!);
        return true;
    }

    private static void ReplaceByTemp(IFileSystem fs, string path, byte[] content)
    {
        var temp = path + TempSuffix;
        try
        {
            using (var handle = fs.Open(temp, create: true))
            {
                handle.SetLength(0);
                handle.Write(0, content);
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

    /// <summary>The file's bytes: the JSON envelope padded with spaces to whole units of at least <paramref name="minLength"/>.</summary>
    private static byte[] Encode<T>(T body, long minLength)
    {
        var bodyBytes = JsonSerializer.SerializeToUtf8Bytes(body, Options);
        var head = Encoding.UTF8.GetBytes($"{{\"format\":{FormatVersion},\"crc32c\":\"{Crc32C.Compute(bodyBytes):x8}\",\"body\":");
        var length = head.Length + bodyBytes.Length + 2;
        var file = Padding((int)Math.Max(minLength, (length + Unit - 1) / Unit * Unit));
        head.CopyTo(file, 0);
        bodyBytes.CopyTo(file, head.Length);
        file[length - 2] = (byte)'}';
        file[length - 1] = (byte)'\n';
        return file;
    }

    private static byte[] Encode(byte[] content, long minLength)
    {
        var file = Padding((int)((minLength + Unit - 1) / Unit * Unit));
        content.CopyTo(file, 0);
        return file;
    }

    private static byte[] Padding(int length)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill((byte)' ');
        return bytes;
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
