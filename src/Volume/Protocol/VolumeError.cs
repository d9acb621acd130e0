namespace ActorStore.Volume.Protocol;

/// <summary>
/// Why a volume command was refused. One place maps each to an NBD errno and an HTTP status
/// (the gateway's problem details): 400, 404, 409, 507, 503, 500.
/// </summary>
public enum VolumeError
{
    /// <summary>A bad name, size or argument (400).</summary>
    InvalidArgument,
    /// <summary>No such volume, snapshot, node or disk (404).</summary>
    NotFound,
    /// <summary>The command does not fit the current state, e.g. revert while attached (409).</summary>
    WrongState,
    /// <summary>The disks cannot hold it (507).</summary>
    NoSpace,
    /// <summary>Not enough replicas or nodes answer right now; retry later (503).</summary>
    Unavailable,
    /// <summary>Not built yet (501).</summary>
    NotImplemented,
    /// <summary>An unexpected failure; the detail says what (500).</summary>
    Internal,
}
