using ActorStore.Volume.Io;
namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// Every number of the NBD protocol this server speaks, named as in NetworkBlockDevice/nbd doc/proto.md
/// (fixed newstyle, structured replies, base:allocation; no TLS, no extended headers).
/// </summary>
public static class NbdConstants
{
    // Handshake magics.
    public const ulong InitPasswd = 0x4e42444d41474943;      // "NBDMAGIC"
    public const ulong IHaveOpt = 0x49484156454F5054;        // "IHAVEOPT"
    public const ulong OptionReplyMagic = 0x3e889045565a9;

    // Handshake flags (server) and client flags.
    public const ushort FlagFixedNewstyle = 1 << 0;
    public const ushort FlagNoZeroes = 1 << 1;
    public const uint ClientFlagFixedNewstyle = 1 << 0;
    public const uint ClientFlagNoZeroes = 1 << 1;

    // Options.
    public const uint OptExportName = 1;
    public const uint OptAbort = 2;
    public const uint OptList = 3;
    public const uint OptStartTls = 5;
    public const uint OptInfo = 6;
    public const uint OptGo = 7;
    public const uint OptStructuredReply = 8;
    public const uint OptListMetaContext = 9;
    public const uint OptSetMetaContext = 10;

    // Option replies.
    public const uint RepAck = 1;
    public const uint RepServer = 2;
    public const uint RepInfo = 3;
    public const uint RepMetaContext = 4;
    public const uint RepErrUnsup = 0x80000001;
    public const uint RepErrPolicy = 0x80000002;
    public const uint RepErrInvalid = 0x80000003;
    public const uint RepErrUnknown = 0x80000006;
    public const uint RepErrShutdown = 0x80000007;

    // NBD_INFO_* items of NBD_REP_INFO.
    public const ushort InfoExport = 0;
    public const ushort InfoName = 1;
    public const ushort InfoDescription = 2;
    public const ushort InfoBlockSize = 3;

    // Transmission flags.
    public const ushort FlagHasFlags = 1 << 0;
    public const ushort FlagReadOnly = 1 << 1;
    public const ushort FlagSendFlush = 1 << 2;
    public const ushort FlagSendFua = 1 << 3;
    public const ushort FlagSendTrim = 1 << 5;
    public const ushort FlagSendWriteZeroes = 1 << 6;
    public const ushort FlagSendDf = 1 << 7;
    public const ushort FlagCanMultiConn = 1 << 8;
    public const ushort FlagSendFastZero = 1 << 11;

    // Request and replies.
    public const uint RequestMagic = 0x25609513;
    public const uint SimpleReplyMagic = 0x67446698;
    public const uint StructuredReplyMagic = 0x668e33ef;
    public const int RequestHeaderSize = 28;
    public const int SimpleReplyHeaderSize = 16;
    public const int StructuredReplyHeaderSize = 20;
    public const int OptionHeaderSize = 16;
    public const int OptionReplyHeaderSize = 20;

    // Commands.
    public const ushort CmdRead = 0;
    public const ushort CmdWrite = 1;
    public const ushort CmdDisc = 2;
    public const ushort CmdFlush = 3;
    public const ushort CmdTrim = 4;
    public const ushort CmdCache = 5;
    public const ushort CmdWriteZeroes = 6;
    public const ushort CmdBlockStatus = 7;

    // Command flags.
    public const ushort CmdFlagFua = 1 << 0;
    public const ushort CmdFlagNoHole = 1 << 1;
    public const ushort CmdFlagDf = 1 << 2;
    public const ushort CmdFlagReqOne = 1 << 3;
    public const ushort CmdFlagFastZero = 1 << 4;

    // Structured reply flags and chunk types.
    public const ushort ReplyFlagDone = 1 << 0;
    public const ushort ReplyTypeNone = 0;
    public const ushort ReplyTypeOffsetData = 1;
    public const ushort ReplyTypeOffsetHole = 2;
    public const ushort ReplyTypeBlockStatus = 5;
    public const ushort ReplyTypeError = 0x8001;
    public const ushort ReplyTypeErrorOffset = 0x8002;

    // base:allocation.
    public const string BaseAllocation = "base:allocation";
    public const uint StateHole = 1 << 0;
    public const uint StateZero = 1 << 1;
    /// <summary>The id this server gives base:allocation in NBD_OPT_SET_META_CONTEXT (any nonzero value would do).</summary>
    public const uint BaseAllocationContextId = 1;

    // Errors (the values of the reply's error field).
    public const uint EPerm = 1;
    public const uint EIo = 5;
    public const uint ENoMem = 12;
    public const uint EInval = 22;
    public const uint ENoSpc = 28;
    public const uint EOverflow = 75;
    public const uint ENotSup = 95;
    public const uint EShutdown = 108;

    // Block size constraints (NBD_INFO_BLOCK_SIZE).
    /// <summary>
    /// 1, not 512: IVolumeIo takes any byte range and the engine does its own read-modify-write per
    /// 4 KiB block, so a client needs no alignment; 1 is also the protocol default, so a client that never
    /// asks for block sizes gets exactly what we enforce (nothing).
    /// </summary>
    public const uint MinimumBlockSize = 1;
    public const uint PreferredBlockSize = 4096;
    /// <summary>32 MiB: the largest READ/WRITE payload the spec says must not be treated as an attack.</summary>
    public const uint MaximumBlockSize = 32 * 1024 * 1024;

    /// <summary>Longest option payload accepted during the handshake; longer ones end the session (a name is at most 4096 bytes).</summary>
    public const int MaxOptionLength = 64 * 1024;
    /// <summary>Longest string (export name, context query) the spec allows.</summary>
    public const int MaxStringLength = 4096;
}
