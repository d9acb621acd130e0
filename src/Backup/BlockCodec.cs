using System.Buffers.Binary;
using System.Security.Cryptography;
using ActorStore.Backup.Targets;
using K4os.Compression.LZ4;
using ZstdSharp;

namespace ActorStore.Backup;

/// <summary>
/// A stored block: a 12-byte header (magic "ASB1", compression, three zero bytes, the plain length) and the
/// payload. Blocks are content-addressed by the SHA-256 of their plain bytes, checked again on every read, so a
/// block that rotted in the target is refused, never restored. One codec per worker: zstd's contexts are not shared.
/// </summary>
public sealed class BlockCodec(Compression compression) : IDisposable
{
    public const int HeaderLength = 12;
    private static ReadOnlySpan<byte> Magic => "ASB1"u8;
    private Compressor? _zstd;
    private Decompressor? _unzstd;

    public Compression Compression { get; } = compression;

    /// <summary>The content hash of a block's plain bytes: lowercase hex SHA-256.</summary>
    public static string Hash(ReadOnlySpan<byte> plain)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(plain, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Whether a block holds only zeros: backups keep it as a hole, not as an object.</summary>
    public static bool IsZero(ReadOnlySpan<byte> plain) => !plain.ContainsAnyExcept((byte)0);

    /// <summary>The stored form of <paramref name="plain"/>, in a page-aligned pooled buffer; stored plain when compressing does not pay.</summary>
    public PooledBytes Encode(ReadOnlySpan<byte> plain)
    {
        var bound = HeaderLength + Math.Max(plain.Length, Compression switch
        {
            Compression.Lz4 => LZ4Codec.MaximumOutputSize(plain.Length),
            Compression.Zstd => Compressor.GetCompressBound(plain.Length),
            _ => plain.Length,
        });
        var stored = new PooledBytes(bound);
        var buffer = stored.Span;
        var payload = buffer[HeaderLength..];
        var method = Compression;
        var length = method switch
        {
            Compression.Lz4 => LZ4Codec.Encode(plain, payload, LZ4Level.L00_FAST),
            Compression.Zstd => (_zstd ??= new Compressor(1)).Wrap(plain, payload),
            _ => -1,
        };
        if (length <= 0 || length >= plain.Length)
        {
            method = Compression.None;
            plain.CopyTo(payload);
            length = plain.Length;
        }
        Magic.CopyTo(buffer);
        buffer[4] = (byte)method;
        buffer[5] = buffer[6] = buffer[7] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(buffer[8..], plain.Length);
        stored.Shorten(HeaderLength + length);
        return stored;
    }

    /// <summary>
    /// Decodes a stored block and checks it against <paramref name="hash"/>: its plain bytes (in <paramref name="scratch"/>, or
    /// within <paramref name="stored"/> when it is stored plain), or why the block cannot be trusted (null when it can).
    /// </summary>
    public (ReadOnlyMemory<byte> Plain, string? Corrupt) Decode(ReadOnlyMemory<byte> stored, Memory<byte> scratch, string hash)
    {
        var header = stored.Span;
        if (header.Length < HeaderLength || !header[..4].SequenceEqual(Magic)) return (default, "its header is not a block's");
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (length < 0 || length > scratch.Length) return (default, $"its header names {length} bytes, more than a block holds");
        var payload = stored[HeaderLength..];
        ReadOnlyMemory<byte> plain;
        try
        {
            plain = (Compression)header[4] switch
            {
                Compression.None => payload,
                Compression.Lz4 => scratch[..LZ4Codec.Decode(payload.Span, scratch.Span[..length])],
                Compression.Zstd => scratch[..(_unzstd ??= new Decompressor()).Unwrap(payload.Span, scratch.Span[..length])],
                var m => throw new InvalidDataException($"compression {(byte)m} is unknown"),
            };
        }
        catch (Exception e) when (e is InvalidDataException or ZstdException or ArgumentException)
        {
            return (default, $"it does not decompress ({e.Message})");
        }
        if (plain.Length != length) return (default, $"it decompresses to {plain.Length} bytes, not {length}");
        var actual = Hash(plain.Span);
        return actual == hash ? (plain, null) : (default, $"its content hashes to {actual}");
    }

    public void Dispose()
    {
        _zstd?.Dispose();
        _unzstd?.Dispose();
    }
}
