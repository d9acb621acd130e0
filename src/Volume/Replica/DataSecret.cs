using System.Security.Cryptography;

namespace ActorStore.Volume.Replicas;

/// <summary>
/// The cluster's data-plane secret (DESIGN §3): made on the cluster's first start, kept in the journal, the
/// same on every node. A data connection proves it knows the secret by answering the server's challenge;
/// the secret itself never crosses the data port. Never printed.
/// </summary>
public sealed class DataSecret
{
    public const int Length = 32;

    private readonly byte[] _key;

    public DataSecret(byte[] key)
    {
        if (key.Length != Length) throw new ArgumentException($"a data secret is {Length} bytes, got {key.Length}", nameof(key));
        _key = key.ToArray();
    }

    public static DataSecret Create() => new(RandomNumberGenerator.GetBytes(Length));

    /// <summary>The key's bytes, for the journal that keeps it.</summary>
    public byte[] ToBytes() => _key.ToArray();

    /// <summary>HMAC-SHA256 of <paramref name="message"/> under the secret.</summary>
    internal void Sign(ReadOnlySpan<byte> message, Span<byte> proof) => HMACSHA256.HashData(_key, message, proof);

    public override string ToString() => "DataSecret(…)";
}
