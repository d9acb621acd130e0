namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// Checks a request against the export and what was negotiated, before any I/O, with the error values
/// doc/proto.md asks for: EINVAL for bad flags, an unknown command, a read, trim or block status past the
/// end, or a READ or WRITE longer than the maximum payload; ENOSPC for a write or write-zeroes past the end. Pure.
/// </summary>
public static class NbdRequestRules
{
    /// <summary>Returns 0 when the request may run, otherwise the error to reply with.</summary>
    public static uint Validate(in NbdRequest request, long exportSize, bool structuredReplies, bool metaContext)
    {
        ushort flags = request.Flags;
        switch (request.Type)
        {
            case NbdConstants.CmdRead:
                ushort readFlags = (ushort)(NbdConstants.CmdFlagFua | (structuredReplies ? NbdConstants.CmdFlagDf : 0));
                return Unknown(flags, readFlags) || request.Length > NbdConstants.MaximumBlockSize || PastEnd(request, exportSize)
                    ? NbdConstants.EInval
                    : 0;

            case NbdConstants.CmdWrite:
                if (Unknown(flags, NbdConstants.CmdFlagFua) || request.Length > NbdConstants.MaximumBlockSize)
                {
                    return NbdConstants.EInval;
                }

                return PastEnd(request, exportSize) ? NbdConstants.ENoSpc : 0;

            case NbdConstants.CmdFlush:
                return Unknown(flags, NbdConstants.CmdFlagFua) || request.Offset != 0 || request.Length != 0 ? NbdConstants.EInval : 0;

            case NbdConstants.CmdTrim:
                return Unknown(flags, NbdConstants.CmdFlagFua) || PastEnd(request, exportSize) ? NbdConstants.EInval : 0;

            case NbdConstants.CmdWriteZeroes:
                // Any length, as TRIM: it carries no payload, and the engine splits a long range (doc/proto.md
                // lets a client send more than the maximum payload here; nbdcopy does for every hole it copies).
                const ushort zeroFlags = NbdConstants.CmdFlagFua | NbdConstants.CmdFlagNoHole | NbdConstants.CmdFlagFastZero;
                if (Unknown(flags, zeroFlags))
                {
                    return NbdConstants.EInval;
                }

                return PastEnd(request, exportSize) ? NbdConstants.ENoSpc : 0;

            case NbdConstants.CmdBlockStatus:
                return !metaContext || Unknown(flags, NbdConstants.CmdFlagFua | NbdConstants.CmdFlagReqOne)
                    || request.Length == 0 || PastEnd(request, exportSize)
                    ? NbdConstants.EInval
                    : 0;

            default:
                return NbdConstants.EInval;
        }
    }

    /// <summary>Whether the request carries a payload on the wire (only WRITE does), valid or not.</summary>
    public static bool HasPayload(in NbdRequest request) => request.Type == NbdConstants.CmdWrite;

    /// <summary>Whether the request changes data (FLUSH must wait for these).</summary>
    public static bool IsWrite(ushort type) =>
        type is NbdConstants.CmdWrite or NbdConstants.CmdTrim or NbdConstants.CmdWriteZeroes;

    private static bool Unknown(ushort flags, ushort allowed) => (flags & ~allowed) != 0;

    private static bool PastEnd(in NbdRequest request, long size) =>
        request.Offset > (ulong)size || request.Length > (ulong)size - request.Offset;
}
