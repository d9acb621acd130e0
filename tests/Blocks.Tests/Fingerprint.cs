using System.Security.Cryptography;
using ActorStore.Blocks.Devices;

namespace ActorStore.Blocks.Tests;

/// <summary>Names, lengths, allocated extents and content hashes of every file in a directory: "no file changed" made checkable.</summary>
public static class Fingerprint
{
    public static string Of(IFileSystem fs, string directory, params string[] except)
    {
        var lines = new List<string>();
        foreach (var name in fs.ListFiles(directory).Where(n => !except.Contains(n)).Order(StringComparer.Ordinal))
        {
            using var h = fs.Open(Path.Combine(directory, name), create: false);
            var extents = new List<BlockExtent>();
            h.GetDataExtents(0, Math.Max(h.Length, 1), extents);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 20];
            foreach (var e in extents)
            {
                for (var at = e.Offset; at < Math.Min(e.Offset + e.Length, h.Length); at += buffer.Length)
                {
                    var n = (int)Math.Min(buffer.Length, Math.Min(e.Offset + e.Length, h.Length) - at);
                    h.Read(at, buffer.AsSpan(0, n));
                    sha.AppendData(buffer, 0, n);
                }
            }
            lines.Add($"{name} {h.Length} [{string.Join(',', extents)}] {Convert.ToHexString(sha.GetHashAndReset())}");
        }
        return string.Join('\n', lines);
    }
}
