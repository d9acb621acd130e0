namespace ActorStore.Volume.Replicas.Data;

/// <summary>The operations of the replica data protocol (DESIGN §3). Values are on the wire: never renumber.</summary>
internal enum DataOp : byte
{
    Hello = 1,
    Read = 2,
    Write = 3,
    WriteZeroes = 4,
    Trim = 5,
    Flush = 6,
    GetAllocation = 7,
    /// <summary>The server's first frame on a new connection: a random nonce the client's Hello must sign.</summary>
    Challenge = 8,
}

/// <summary>Per-request flags. Values are on the wire.</summary>
[Flags]
internal enum DataFlags : byte
{
    None = 0,
    /// <summary>WriteZeroes only: keep the range allocated (NBD's NO_HOLE).</summary>
    Allocate = 1,
}
