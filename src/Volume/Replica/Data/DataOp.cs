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
    /// <summary>Rebuild source: one snapshot layer's own bytes. The payload is the snapshot's name; the reply carries the data.</summary>
    ReadLayer = 9,
    /// <summary>Rebuild target: a piece of a staged layer. The payload is the name, then <c>length</c> bytes of data.</summary>
    WriteStaged = 10,
    /// <summary>Rebuild source: the data extents of one layer in a range. The payload is the name; the reply, extents as GetAllocation's.</summary>
    LayerExtents = 11,
}

/// <summary>Per-request flags. Values are on the wire.</summary>
[Flags]
internal enum DataFlags : byte
{
    None = 0,
    /// <summary>WriteZeroes only: keep the range allocated (NBD's NO_HOLE).</summary>
    Allocate = 1,
    /// <summary>Write, WriteZeroes, Trim: a replica of the volume is away; note the regions in the absent log first (DESIGN §3).</summary>
    Track = 2,
}
