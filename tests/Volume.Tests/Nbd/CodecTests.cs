using System.Buffers;
using System.Buffers.Binary;
using ActorStore.Blocks;
using ActorStore.Volume.Frontend.Nbd;
using Xunit;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>The pure codec: parsing, validation and reply bytes, without sockets.</summary>
public sealed class CodecTests
{
    [Fact]
    public void A_request_split_anywhere_needs_more_data_then_parses_whole()
    {
        var bytes = new byte[28];
        RawClient.EncodeRequest(bytes, NbdConstants.CmdWrite, NbdConstants.CmdFlagFua, 0x0102030405060708, 4096, 512);
        for (int cut = 0; cut < 28; cut++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, cut));
            Assert.Equal(NbdParseStatus.NeedMoreData, NbdRequestReader.TryReadRequest(ref reader, out _));
            Assert.Equal(0, reader.Consumed);
        }

        var whole = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(NbdParseStatus.Ok, NbdRequestReader.TryReadRequest(ref whole, out var request));
        Assert.Equal(new NbdRequest(NbdConstants.CmdFlagFua, NbdConstants.CmdWrite, 0x0102030405060708, 4096, 512), request);
        Assert.Equal(28, whole.Consumed);
    }

    [Fact]
    public void A_bad_magic_is_malformed_even_before_the_header_is_complete()
    {
        var bytes = new byte[28];
        RawClient.EncodeRequest(bytes, NbdConstants.CmdRead, 0, 1, 0, 1);
        bytes[1] ^= 1;
        var shortReader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, 3));
        Assert.Equal(NbdParseStatus.Malformed, NbdRequestReader.TryReadRequest(ref shortReader, out _));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(NbdParseStatus.Malformed, NbdRequestReader.TryReadRequest(ref reader, out _));
        Assert.Equal(0, reader.Consumed);
    }

    [Fact]
    public void Option_headers_with_a_bad_magic_or_a_huge_length_are_malformed()
    {
        var header = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(header, NbdConstants.IHaveOpt);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), NbdConstants.OptGo);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), 10);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(header));
        Assert.Equal(NbdParseStatus.Ok, NbdRequestReader.TryReadOptionHeader(ref reader, out uint option, out uint length));
        Assert.Equal((NbdConstants.OptGo, 10u), (option, length));

        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), NbdConstants.MaxOptionLength + 1);
        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(header));
        Assert.Equal(NbdParseStatus.Malformed, NbdRequestReader.TryReadOptionHeader(ref reader, out _, out _));
    }

    [Fact]
    public void Info_and_meta_context_data_parse_and_bad_lengths_are_refused()
    {
        Assert.True(NbdOptionParser.TryParseInfo(RawClient.InfoData("disk", NbdConstants.InfoBlockSize, NbdConstants.InfoName, 999), out var info));
        Assert.Equal(new NbdInfoRequest("disk", true, false, true), info);
        var truncated = RawClient.InfoData("disk", NbdConstants.InfoBlockSize);
        Assert.False(NbdOptionParser.TryParseInfo(truncated[..^1], out _));
        BinaryPrimitives.WriteUInt32BigEndian(truncated, 1000);
        Assert.False(NbdOptionParser.TryParseInfo(truncated, out _));

        Assert.True(NbdOptionParser.TryParseMetaContext(RawClient.MetaContextData("disk", "base:allocation", "qemu:dirty"), out var meta));
        Assert.Equal(["base:allocation", "qemu:dirty"], meta.Queries);
        Assert.False(NbdOptionParser.TryParseMetaContext(RawClient.MetaContextData("disk", "base:allocation")[..^2], out _));
    }

    [Theory]
    [InlineData(NbdConstants.CmdRead, 0, 0ul, 4096u, 0u)]
    [InlineData(NbdConstants.CmdRead, 0, 8192ul, 1u, NbdConstants.EInval)]
    [InlineData(NbdConstants.CmdRead, NbdConstants.CmdFlagDf, 0ul, 1u, NbdConstants.EInval)] // DF without structured replies
    [InlineData(NbdConstants.CmdWrite, 0, 8000ul, 193u, NbdConstants.ENoSpc)]
    [InlineData(NbdConstants.CmdWrite, NbdConstants.CmdFlagNoHole, 0ul, 1u, NbdConstants.EInval)]
    [InlineData(NbdConstants.CmdWriteZeroes, NbdConstants.CmdFlagNoHole | NbdConstants.CmdFlagFastZero, 0ul, 8192u, 0u)]
    [InlineData(NbdConstants.CmdWriteZeroes, 0, 1ul, 8192u, NbdConstants.ENoSpc)]
    [InlineData(NbdConstants.CmdTrim, 0, 1ul, 8192u, NbdConstants.EInval)]
    [InlineData(NbdConstants.CmdFlush, 0, 1ul, 0u, NbdConstants.EInval)]
    [InlineData(NbdConstants.CmdBlockStatus, 0, 0ul, 1u, NbdConstants.EInval)] // no meta context negotiated
    [InlineData((ushort)99, 0, 0ul, 0u, NbdConstants.EInval)]
    public void Requests_are_validated_with_the_spec_error_values(ushort type, int flags, ulong offset, uint length, uint expected)
    {
        var request = new NbdRequest((ushort)flags, type, 1, offset, length);
        Assert.Equal(expected, NbdRequestRules.Validate(request, 8192, structuredReplies: false, metaContext: false));
    }

    [Fact]
    public void Reads_above_32_MiB_are_EINVAL_and_offsets_near_2_pow_64_do_not_overflow()
    {
        long size = 1L << 40;
        Assert.Equal(NbdConstants.EInval, NbdRequestRules.Validate(new NbdRequest(0, NbdConstants.CmdRead, 1, 0, NbdConstants.MaximumBlockSize + 1), size, true, true));
        Assert.Equal(NbdConstants.EInval, NbdRequestRules.Validate(new NbdRequest(0, NbdConstants.CmdRead, 1, ulong.MaxValue - 10, 100), size, true, true));
        Assert.Equal(NbdConstants.ENoSpc, NbdRequestRules.Validate(new NbdRequest(0, NbdConstants.CmdWrite, 1, ulong.MaxValue - 10, 100), size, true, true));
    }

    [Fact]
    public void Zeroes_and_trims_carry_no_payload_and_may_be_longer_than_the_maximum_payload()
    {
        long size = 4L << 30;
        Assert.Equal(0u, NbdRequestRules.Validate(new NbdRequest(0, NbdConstants.CmdWriteZeroes, 1, 0, uint.MaxValue & ~4095u), size, true, true));
        Assert.Equal(0u, NbdRequestRules.Validate(new NbdRequest(NbdConstants.CmdFlagNoHole, NbdConstants.CmdWriteZeroes, 1, 0, 1u << 30), size, true, true));
        Assert.Equal(0u, NbdRequestRules.Validate(new NbdRequest(0, NbdConstants.CmdTrim, 1, 0, 1u << 30), size, true, true));
        Assert.Equal(NbdConstants.EInval, NbdRequestRules.Validate(new NbdRequest(0, NbdConstants.CmdWrite, 1, 0, NbdConstants.MaximumBlockSize + 1), size, true, true));
    }

    [Fact]
    public void Simple_and_structured_replies_have_the_spec_layout()
    {
        var writer = new ArrayBufferWriter<byte>();
        NbdReplyWriter.WriteSimple(writer, 0xAABB, NbdConstants.EIo);
        Assert.Equal(Convert.FromHexString("67446698" + "00000005" + "000000000000AABB"), writer.WrittenSpan.ToArray());

        writer.Clear();
        NbdReplyWriter.WriteError(writer, 7, NbdConstants.EInval, "no"u8);
        Assert.Equal(Convert.FromHexString("668E33EF" + "0001" + "8001" + "0000000000000007" + "00000008" + "00000016" + "0002" + "6E6F"), writer.WrittenSpan.ToArray());

        writer.Clear();
        NbdReplyWriter.WriteOffsetDataHeader(writer, 7, 512, dataLength: 1, done: true); // the length counts the offset and the data
        Assert.Equal(Convert.FromHexString("668E33EF" + "0001" + "0001" + "0000000000000007" + "00000009" + "0000000000000200"), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Block_status_clips_merges_and_honours_req_one()
    {
        AllocationExtent[] extents = [new(0, 4096, true), new(4096, 4096, true), new(8192, 4096, false), new(12288, 1 << 20, true)];
        var writer = new ArrayBufferWriter<byte>();
        Assert.True(NbdReplyWriter.WriteBlockStatus(writer, 1, 5, 1000, 20000, reqOne: false, extents));
        Assert.Equal([(7192u, 3u), (4096u, 0u), (8712u, 3u)], Descriptors(writer.WrittenSpan));

        writer.Clear();
        Assert.True(NbdReplyWriter.WriteBlockStatus(writer, 1, 5, 1000, 100, reqOne: true, extents));
        Assert.Equal([(100u, 3u)], Descriptors(writer.WrittenSpan));

        writer.Clear();
        Assert.False(NbdReplyWriter.WriteBlockStatus(writer, 1, 5, 1000, 100, reqOne: false, [new AllocationExtent(2000, 10, false)]));
        Assert.Equal(0, writer.WrittenCount);
    }

    private static List<(uint, uint)> Descriptors(ReadOnlySpan<byte> chunk)
    {
        Assert.Equal(NbdConstants.ReplyTypeBlockStatus, BinaryPrimitives.ReadUInt16BigEndian(chunk[6..]));
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32BigEndian(chunk[20..]));
        var list = new List<(uint, uint)>();
        for (int i = 24; i < chunk.Length; i += 8)
        {
            list.Add((BinaryPrimitives.ReadUInt32BigEndian(chunk[i..]), BinaryPrimitives.ReadUInt32BigEndian(chunk[(i + 4)..])));
        }

        return list;
    }
}
