using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using ActorStore.Volume.Io;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>What the handshake agreed: the export and the reply style.</summary>
internal sealed record NbdNegotiation(IVolumeIo Volume, bool StructuredReplies, bool MetaContext);

/// <summary>
/// The fixed newstyle handshake and option haggling (doc/proto.md): greeting, client flags, then options
/// until NBD_OPT_EXPORT_NAME or a successful NBD_OPT_GO. Returns null when the session must end (abort,
/// garbage, unknown export on EXPORT_NAME, peer gone); logs one line saying why. Allocates freely: it runs
/// once per connection.
/// </summary>
internal sealed class NbdHandshake
{
    private const ushort BaseTransmissionFlags =
        NbdConstants.FlagHasFlags | NbdConstants.FlagSendFlush | NbdConstants.FlagSendFua | NbdConstants.FlagSendTrim
        | NbdConstants.FlagSendWriteZeroes | NbdConstants.FlagSendFastZero
        // The engine makes a flush on any connection cover writes completed on all of them.
        | NbdConstants.FlagCanMultiConn;

    private readonly NbdSession _session;
    private readonly PipeReader _input;
    private readonly INbdExports _exports;
    private bool _noZeroes;
    private bool _structured;
    private string? _metaExport; // the export whose base:allocation was selected, if any

    public NbdHandshake(NbdSession session, PipeReader input, INbdExports exports)
    {
        _session = session;
        _input = input;
        _exports = exports;
    }

    private IBufferWriter<byte> Output => _session.HandshakeOutput;

    public async Task<NbdNegotiation?> RunAsync()
    {
        NbdOptionReplyWriter.WriteGreeting(Output);
        _session.FlushHandshake();
        byte[]? clientFlags = await ReadAsync(4).ConfigureAwait(false);
        if (clientFlags is null)
        {
            return Refuse("closed before sending client flags");
        }

        uint flags = BinaryPrimitives.ReadUInt32BigEndian(clientFlags);
        if ((flags & ~(NbdConstants.ClientFlagFixedNewstyle | NbdConstants.ClientFlagNoZeroes)) != 0)
        {
            return Refuse($"unknown client flags 0x{flags:x8}"); // the spec: drop the connection
        }

        _noZeroes = (flags & NbdConstants.ClientFlagNoZeroes) != 0;
        while (true)
        {
            byte[]? header = await ReadAsync(NbdConstants.OptionHeaderSize).ConfigureAwait(false);
            if (header is null)
            {
                return Refuse("closed during option haggling");
            }

            if (!TryParseHeader(header, out uint option, out uint length))
            {
                return Refuse("bad option magic or length: not an NBD client");
            }

            byte[]? data = await ReadAsync((int)length).ConfigureAwait(false);
            if (data is null)
            {
                return Refuse("truncated option");
            }

            var outcome = HandleOption(option, data);
            if (outcome.Result is not null && !_session.TryConclude())
            {
                return null; // closed (timed out, or made room for a newer connection) before it could be answered GO
            }

            _session.FlushHandshake();
            if (outcome.Done)
            {
                return outcome.Result;
            }
        }
    }

    private readonly record struct Outcome(bool Done, NbdNegotiation? Result)
    {
        public static readonly Outcome Next = new(false, null);
        public static readonly Outcome End = new(true, null);
    }

    private Outcome HandleOption(uint option, byte[] data)
    {
        if (_session.Draining && option != NbdConstants.OptAbort)
        {
            if (option == NbdConstants.OptExportName)
            {
                Refuse("EXPORT_NAME while the server is draining");
                return Outcome.End;
            }

            NbdOptionReplyWriter.WriteError(Output, option, NbdConstants.RepErrShutdown, "server is shutting down");
            return Outcome.Next;
        }

        switch (option)
        {
            case NbdConstants.OptExportName:
                return ExportName(data);
            case NbdConstants.OptAbort:
                NbdOptionReplyWriter.WriteReply(Output, option, NbdConstants.RepAck, default);
                _session.Log("client aborted the handshake");
                return Outcome.End;
            case NbdConstants.OptList:
                List(data);
                return Outcome.Next;
            case NbdConstants.OptInfo:
            case NbdConstants.OptGo:
                return InfoOrGo(option, data);
            case NbdConstants.OptStructuredReply:
                if (data.Length != 0)
                {
                    NbdOptionReplyWriter.WriteError(Output, option, NbdConstants.RepErrInvalid, "STRUCTURED_REPLY takes no data");
                }
                else
                {
                    _structured = true;
                    NbdOptionReplyWriter.WriteReply(Output, option, NbdConstants.RepAck, default);
                }

                return Outcome.Next;
            case NbdConstants.OptListMetaContext:
            case NbdConstants.OptSetMetaContext:
                MetaContext(option, data);
                return Outcome.Next;
            default:
                // STARTTLS included: this server runs in NOTLS mode.
                NbdOptionReplyWriter.WriteError(Output, option, NbdConstants.RepErrUnsup, $"option {option} is not supported");
                return Outcome.Next;
        }
    }

    private Outcome ExportName(byte[] data)
    {
        if (!NbdOptionParser.TryDecode(data, out string name) || !_exports.TryGet(name, out var volume))
        {
            // EXPORT_NAME cannot be answered with an error: the spec says close.
            Refuse($"unknown export '{System.Text.Encoding.UTF8.GetString(data)}' (EXPORT_NAME)");
            return Outcome.End;
        }

        NbdOptionReplyWriter.WriteExportNameReply(Output, volume.Size, TransmissionFlags(), _noZeroes);
        return new Outcome(true, Negotiated(name, volume));
    }

    private void List(byte[] data)
    {
        if (data.Length != 0)
        {
            NbdOptionReplyWriter.WriteError(Output, NbdConstants.OptList, NbdConstants.RepErrInvalid, "LIST takes no data");
            return;
        }

        foreach (string name in _exports.Names)
        {
            NbdOptionReplyWriter.WriteServer(Output, name);
        }

        NbdOptionReplyWriter.WriteReply(Output, NbdConstants.OptList, NbdConstants.RepAck, default);
    }

    private Outcome InfoOrGo(uint option, byte[] data)
    {
        if (!NbdOptionParser.TryParseInfo(data, out var request))
        {
            NbdOptionReplyWriter.WriteError(Output, option, NbdConstants.RepErrInvalid, "malformed INFO/GO request");
            return Outcome.Next;
        }

        if (!_exports.TryGet(request.ExportName, out var volume))
        {
            NbdOptionReplyWriter.WriteError(Output, option, NbdConstants.RepErrUnknown, $"no export named '{request.ExportName}'");
            return Outcome.Next;
        }

        NbdOptionReplyWriter.WriteInfoExport(Output, option, volume.Size, TransmissionFlags());
        // Sent even when not asked for (allowed): the values are the protocol defaults but for the hints.
        NbdOptionReplyWriter.WriteInfoBlockSize(Output, option);
        if (request.WantsName)
        {
            NbdOptionReplyWriter.WriteInfoString(Output, option, NbdConstants.InfoName, volume.Name);
        }

        if (request.WantsDescription)
        {
            NbdOptionReplyWriter.WriteInfoString(Output, option, NbdConstants.InfoDescription, $"ActorStore volume {volume.Name}");
        }

        NbdOptionReplyWriter.WriteReply(Output, option, NbdConstants.RepAck, default);
        return option == NbdConstants.OptGo ? new Outcome(true, Negotiated(request.ExportName, volume)) : Outcome.Next;
    }

    private void MetaContext(uint option, byte[] data)
    {
        bool set = option == NbdConstants.OptSetMetaContext;
        if (set)
        {
            _metaExport = null; // SET replaces the selection, even when it fails
        }

        if (!_structured)
        {
            NbdOptionReplyWriter.WriteError(Output, option, NbdConstants.RepErrInvalid, "negotiate structured replies first");
            return;
        }

        if (!NbdOptionParser.TryParseMetaContext(data, out var request))
        {
            NbdOptionReplyWriter.WriteError(Output, option, NbdConstants.RepErrInvalid, "malformed meta context request");
            return;
        }

        if (!_exports.TryGet(request.ExportName, out _))
        {
            NbdOptionReplyWriter.WriteError(Output, option, NbdConstants.RepErrUnknown, $"no export named '{request.ExportName}'");
            return;
        }

        bool matches = false;
        foreach (string query in request.Queries)
        {
            // "base:" is a wildcard for LIST only; SET must ignore it. Unknown names and namespaces are ignored.
            matches |= query == NbdConstants.BaseAllocation || (!set && query == "base:");
        }

        if (!set && request.Queries.Count == 0)
        {
            matches = true; // no query: list everything we have
        }

        if (matches)
        {
            NbdOptionReplyWriter.WriteMetaContext(Output, option, set ? NbdConstants.BaseAllocationContextId : 0, NbdConstants.BaseAllocation);
            if (set)
            {
                _metaExport = request.ExportName;
            }
        }

        NbdOptionReplyWriter.WriteReply(Output, option, NbdConstants.RepAck, default);
    }

    private ushort TransmissionFlags() =>
        (ushort)(BaseTransmissionFlags | (_structured ? NbdConstants.FlagSendDf : 0));

    private NbdNegotiation Negotiated(string name, IVolumeIo volume) =>
        new(volume, _structured, _structured && _metaExport == name);

    private NbdNegotiation? Refuse(string why)
    {
        _session.Log($"handshake ended: {why}");
        return null;
    }

    private static bool TryParseHeader(byte[] header, out uint option, out uint length)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(header));
        return NbdRequestReader.TryReadOptionHeader(ref reader, out option, out length) == NbdParseStatus.Ok;
    }

    // Reads exactly count bytes; null when the peer closes first.
    private async Task<byte[]?> ReadAsync(int count)
    {
        if (count == 0)
        {
            return [];
        }

        while (true)
        {
            var result = await _input.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= count)
            {
                byte[] bytes = buffer.Slice(0, count).ToArray();
                _input.AdvanceTo(buffer.GetPosition(count));
                return bytes;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }
}
