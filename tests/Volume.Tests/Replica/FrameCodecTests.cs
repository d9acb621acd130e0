using ActorStore.Blocks;
using ActorStore.Volume.Replicas;
using ActorStore.Volume.Replicas.Data;
using Xunit;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>The wire rules on bytes alone: what is a well-formed frame, and the payload encodings round-trip.</summary>
public sealed class FrameCodecTests
{
    private static FrameHeader RoundTrip(FrameHeader header)
    {
        var bytes = new byte[FrameHeader.Size];
        header.WriteTo(bytes);
        return FrameHeader.ReadFrom(bytes);
    }

    [Fact]
    public void Headers_round_trip_little_endian()
    {
        var header = new FrameHeader(FrameCodec.ReplyMagic, DataOp.GetAllocation, DataFlags.None, ReplicaStatus.StaleEpoch, ulong.MaxValue - 3, -5, long.MaxValue, 17 * 3);
        Assert.Equal(header, RoundTrip(header));
        var bytes = new byte[FrameHeader.Size];
        header.WriteTo(bytes);
        Assert.Equal("ASRP"u8.ToArray(), bytes[..4]);
    }

    [Theory]
    [InlineData((byte)DataOp.Write, 4096, 4096, (byte)DataFlags.None, true)]
    [InlineData((byte)DataOp.Write, 4096, 4095, (byte)DataFlags.None, false)]           // payload must be the data
    [InlineData((byte)DataOp.Read, 4096, 0, (byte)DataFlags.None, true)]
    [InlineData((byte)DataOp.Read, 4096, 4096, (byte)DataFlags.None, false)]            // a read carries no payload
    [InlineData((byte)DataOp.WriteZeroes, 4096, 0, (byte)DataFlags.Allocate, true)]
    [InlineData((byte)DataOp.Trim, 4096, 0, (byte)DataFlags.Allocate, false)]           // the flag belongs to write-zeroes
    [InlineData((byte)DataOp.Write, FrameCodec.MaxPayload, FrameCodec.MaxPayload, (byte)DataFlags.None, true)]
    [InlineData((byte)DataOp.Write, FrameCodec.MaxPayload + 1L, FrameCodec.MaxPayload + 1u, (byte)DataFlags.None, false)] // bigger than 32 MiB
    [InlineData((byte)99, 0, 0, (byte)DataFlags.None, false)]
    [InlineData((byte)DataOp.Hello, 1, 16, (byte)DataFlags.None, false)]                // a hello without a replica id
    public void Requests_are_well_formed_only_as_the_protocol_says(byte op, long length, uint payload, byte flags, bool valid) =>
        Assert.Equal(valid, FrameCodec.IsValidRequest(new FrameHeader(FrameCodec.RequestMagic, (DataOp)op, (DataFlags)flags, ReplicaStatus.Ok, 1, 0, length, payload)));

    [Fact]
    public void Bad_magic_status_or_reserved_bits_are_malformed()
    {
        var good = FrameCodec.Request(DataOp.Flush, DataFlags.None, 1, 0, 0, 0);
        Assert.True(FrameCodec.IsValidRequest(good));
        Assert.False(FrameCodec.IsValidRequest(good with { Magic = FrameCodec.ReplyMagic }));
        Assert.False(FrameCodec.IsValidRequest(good with { Status = ReplicaStatus.IoError }));
        Assert.False(FrameCodec.IsValidRequest(good with { Reserved = 1 }));
        var reply = FrameCodec.Reply(good, ReplicaStatus.Ok, 0);
        Assert.True(FrameCodec.IsValidReply(reply));
        Assert.False(FrameCodec.IsValidReply(reply with { PayloadLength = 1 }));
        Assert.False(FrameCodec.IsValidReply(FrameCodec.Reply(good with { Op = DataOp.Read }, ReplicaStatus.IoError, 10))); // only Ok carries data
        Assert.False(FrameCodec.IsValidReply(FrameCodec.Reply(good with { Op = DataOp.GetAllocation }, ReplicaStatus.Ok, 18))); // whole extents only
    }

    [Fact]
    public void Hello_and_extents_round_trip()
    {
        var volume = Guid.NewGuid();
        var secret = DataSecret.Create();
        var nonce = new byte[FrameCodec.NonceSize];
        Random.Shared.NextBytes(nonce);
        var frame = FrameCodec.EncodeHello(volume, "replica-7", 42, nonce, secret)!;
        var header = FrameHeader.ReadFrom(frame);
        Assert.True(FrameCodec.IsValidRequest(header));
        Assert.Equal((DataOp.Hello, 42L, (long)FrameCodec.ProtocolVersion), (header.Op, header.Offset, header.Length));
        Assert.Equal((volume, "replica-7"), FrameCodec.DecodeHello(frame.AsSpan(FrameHeader.Size)));
        Assert.Null(FrameCodec.EncodeHello(volume, new string('x', 256), 1, nonce, secret));

        // The proof holds only for this secret, this challenge and these fields.
        var payload = frame.AsSpan(FrameHeader.Size).ToArray();
        Assert.True(FrameCodec.IsProven(header, payload, nonce, secret));
        Assert.False(FrameCodec.IsProven(header, payload, nonce, DataSecret.Create()));
        Assert.False(FrameCodec.IsProven(header, payload, new byte[FrameCodec.NonceSize], secret));
        Assert.False(FrameCodec.IsProven(header with { Offset = 43 }, payload, nonce, secret)); // another epoch
        payload[^1] ^= 1; // another replica id
        Assert.False(FrameCodec.IsProven(header, payload, nonce, secret));

        List<AllocationExtent> extents = [new(0, 4096, true), new(4096, 1L << 40, false)];
        var bytes = new byte[FrameCodec.EncodedExtentsSize(extents.Count)];
        Assert.Equal(bytes.Length, FrameCodec.EncodeExtents(extents, bytes));
        var back = new List<AllocationExtent>();
        FrameCodec.DecodeExtents(bytes, back);
        Assert.Equal(extents, back);
        Assert.Equal(FrameCodec.ExtentSize, FrameCodec.EncodeExtents(extents, new byte[FrameCodec.ExtentSize + 5])); // what fits: a prefix
    }
}
