using System.Security.Cryptography;

namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>Hex SHA-256 of files and buffers: how the tests compare what went in with what came out.</summary>
public static class Sha256
{
    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string OfBytes(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
