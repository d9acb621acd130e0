using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ActorStore.Blocks;

namespace ActorStore.Volume.Replicas.Data;

/// <summary>
/// What makes a frame well formed, and the two structured payloads (Hello, allocation extents). Pure:
/// no socket, so every rule is tested on bytes. A frame that breaks a rule is a protocol error and
/// closes its connection (there is no trustworthy sequence to answer).
/// </summary>
internal static class FrameCodec
{
    public const uint RequestMagic = 0x51525341; // "ASRQ" in little-endian bytes
    public const uint ReplyMagic = 0x50525341;   // "ASRP"
    /// <summary>2: the server challenges first and Hello carries a proof of the cluster secret (1 had no authentication).</summary>
    public const int ProtocolVersion = 2;
    public const int NonceSize = 32;
    private const int ProofSize = 32;
    /// <summary>The largest payload of any frame (NBD's usual maximum request). Bigger is a protocol error.</summary>
    public const int MaxPayload = 32 << 20;
    /// <summary>Offset i64, length i64, hole u8.</summary>
    public const int ExtentSize = 17;
    private const int HelloFixed = 16 + ProofSize; // the volume UUID and the proof; the replica id's UTF-8 bytes follow
    private const int MaxReplicaIdBytes = 255;

    public static bool IsValidRequest(in FrameHeader h)
    {
        if (h.Magic != RequestMagic || h.Status != ReplicaStatus.Ok || h.Reserved != 0 || h.PayloadLength > MaxPayload) return false;
        var allowed = h.Op switch
        {
            DataOp.WriteZeroes => DataFlags.Allocate | DataFlags.Track,
            DataOp.Write or DataOp.Trim => DataFlags.Track,
            _ => DataFlags.None,
        };
        if ((h.Flags & ~allowed) != 0) return false;
        return h.Op switch
        {
            DataOp.Write => h.PayloadLength == h.Length,
            DataOp.Hello => h.PayloadLength is > HelloFixed and <= HelloFixed + MaxReplicaIdBytes,
            DataOp.Read or DataOp.WriteZeroes or DataOp.Trim or DataOp.Flush or DataOp.GetAllocation => h.PayloadLength == 0,
            DataOp.ReadLayer or DataOp.LayerExtents => h.PayloadLength is >= 1 and <= MaxLayerName,
            DataOp.WriteStaged => h.Length >= 0 && h.PayloadLength - h.Length is >= 1 and <= MaxLayerName,
            _ => false,
        };
    }

    /// <summary>The longest snapshot name in UTF-8 bytes (names are 1-63 ASCII characters).</summary>
    public const int MaxLayerName = 63;

    /// <summary>How many bytes of a request's payload are the layer name in front of its data.</summary>
    public static int LayerNameLength(in FrameHeader h) => h.Op == DataOp.WriteStaged ? (int)(h.PayloadLength - h.Length) : (int)h.PayloadLength;

    public static bool IsValidReply(in FrameHeader h)
    {
        if (h.Magic != ReplyMagic || h.Flags != DataFlags.None || h.Reserved != 0 || h.PayloadLength > MaxPayload) return false;
        return h.Op switch
        {
            DataOp.Read or DataOp.ReadLayer => h.Status == ReplicaStatus.Ok || h.PayloadLength == 0,
            DataOp.GetAllocation or DataOp.LayerExtents => h.PayloadLength % ExtentSize == 0 && (h.Status == ReplicaStatus.Ok || h.PayloadLength == 0),
            DataOp.Challenge => h.PayloadLength == NonceSize && h.Status == ReplicaStatus.Ok,
            DataOp.Hello or DataOp.Write or DataOp.WriteZeroes or DataOp.Trim or DataOp.Flush or DataOp.WriteStaged => h.PayloadLength == 0,
            _ => false,
        };
    }

    public static FrameHeader Request(DataOp op, DataFlags flags, ulong sequence, long offset, long length, int payloadLength) =>
        new(RequestMagic, op, flags, ReplicaStatus.Ok, sequence, offset, length, (uint)payloadLength);

    public static FrameHeader Reply(in FrameHeader request, ReplicaStatus status, int payloadLength) =>
        new(ReplyMagic, request.Op, DataFlags.None, status, request.Sequence, request.Offset, request.Length, (uint)payloadLength);

    /// <summary>The server's challenge: a reply frame whose payload is the nonce.</summary>
    public static byte[] EncodeChallenge(ReadOnlySpan<byte> nonce)
    {
        var frame = new byte[FrameHeader.Size + NonceSize];
        new FrameHeader(ReplyMagic, DataOp.Challenge, DataFlags.None, ReplicaStatus.Ok, 0, 0, ProtocolVersion, NonceSize).WriteTo(frame);
        nonce.CopyTo(frame.AsSpan(FrameHeader.Size));
        return frame;
    }

    /// <summary>
    /// Encodes a Hello request (header and payload) answering <paramref name="nonce"/>: it names the volume, the
    /// replica and the epoch, and proves the secret over all of them; null when the replica id cannot be sent.
    /// </summary>
    public static byte[]? EncodeHello(Guid volumeId, string replicaId, long epoch, ReadOnlySpan<byte> nonce, DataSecret secret)
    {
        var id = Encoding.UTF8.GetBytes(replicaId);
        if (id.Length is 0 or > MaxReplicaIdBytes) return null;
        var frame = new byte[FrameHeader.Size + HelloFixed + id.Length];
        Request(DataOp.Hello, DataFlags.None, 0, epoch, ProtocolVersion, HelloFixed + id.Length).WriteTo(frame);
        volumeId.TryWriteBytes(frame.AsSpan(FrameHeader.Size, 16));
        id.CopyTo(frame.AsSpan(FrameHeader.Size + HelloFixed));
        Prove(secret, nonce, volumeId, id, epoch, frame.AsSpan(FrameHeader.Size + 16, ProofSize));
        return frame;
    }

    public static (Guid VolumeId, string ReplicaId) DecodeHello(ReadOnlySpan<byte> payload) =>
        (new Guid(payload[..16]), Encoding.UTF8.GetString(payload[HelloFixed..]));

    /// <summary>Whether the Hello's proof was made with <paramref name="secret"/> over this challenge and the Hello's own fields (in constant time).</summary>
    public static bool IsProven(in FrameHeader hello, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> nonce, DataSecret secret)
    {
        Span<byte> expected = stackalloc byte[ProofSize];
        Prove(secret, nonce, new Guid(payload[..16]), payload[HelloFixed..], hello.Offset, expected);
        return CryptographicOperations.FixedTimeEquals(expected, payload.Slice(16, ProofSize));
    }

    private static void Prove(DataSecret secret, ReadOnlySpan<byte> nonce, Guid volumeId, ReadOnlySpan<byte> replicaId, long epoch, Span<byte> proof)
    {
        Span<byte> message = stackalloc byte[NonceSize + 16 + 8 + MaxReplicaIdBytes];
        nonce.CopyTo(message);
        volumeId.TryWriteBytes(message[NonceSize..]);
        BinaryPrimitives.WriteInt64LittleEndian(message[(NonceSize + 16)..], epoch);
        replicaId.CopyTo(message[(NonceSize + 24)..]);
        secret.Sign(message[..(NonceSize + 24 + replicaId.Length)], proof);
    }

    /// <summary>
    /// Writes as many extents as fit in <paramref name="destination"/>; returns the bytes written. A
    /// prefix of the allocation map is still a correct answer (NBD block status may answer less than asked).
    /// </summary>
    public static int EncodeExtents(List<AllocationExtent> extents, Span<byte> destination)
    {
        var count = Math.Min(extents.Count, destination.Length / ExtentSize);
        for (var i = 0; i < count; i++)
        {
            var slot = destination.Slice(i * ExtentSize, ExtentSize);
            BinaryPrimitives.WriteInt64LittleEndian(slot, extents[i].Offset);
            BinaryPrimitives.WriteInt64LittleEndian(slot[8..], extents[i].Length);
            slot[16] = extents[i].IsHole ? (byte)1 : (byte)0;
        }
        return count * ExtentSize;
    }

    public static int EncodedExtentsSize(int count) => Math.Min(count, MaxPayload / ExtentSize) * ExtentSize;

    public static void DecodeExtents(ReadOnlySpan<byte> source, List<AllocationExtent> into)
    {
        for (; source.Length >= ExtentSize; source = source[ExtentSize..])
            into.Add(new AllocationExtent(
                BinaryPrimitives.ReadInt64LittleEndian(source),
                BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
                source[16] != 0));
    }
}
