namespace ActorStore.Cluster.Api.Contracts;

// The JSON shapes of the REST gateway (DESIGN §8). The gateway serves them and `pbm` (src/Cli) links
// this file, so the two can never disagree. JSON names are camelCase; sizes are bytes; times are UTC
// ISO 8601. Errors are RFC 7807 problem details (application/problem+json: type, title, status, detail).
//
// Routes (all under http://NODE:9500):
//   GET    /cluster                                   ClusterInfo
//   POST   /cluster/members/{node}/leave|down         (202)
//   GET    /volumes                                   VolumeInfo[]
//   POST   /volumes                  CreateVolume     VolumeInfo (201)
//   GET    /volumes/{name}                            VolumeInfo
//   DELETE /volumes/{name}                            (204)
//   POST   /volumes/{name}/attach    AttachVolume     VolumeInfo
//   POST   /volumes/{name}/detach                     VolumeInfo
//   POST   /volumes/{name}/expand    ExpandVolume     VolumeInfo
//   GET    /volumes/{name}/replicas                   ReplicaInfo[]
//   GET    /volumes/{name}/snapshots                  SnapshotInfo[]
//   POST   /volumes/{name}/snapshots CreateSnapshot   SnapshotInfo (201)
//   DELETE /volumes/{name}/snapshots/{snapshot}       (204)
//   POST   /volumes/{name}/purge                      SnapshotInfo[] (what remains)
//   POST   /volumes/{name}/revert    RevertVolume     VolumeInfo
//   POST   /volumes/{name}/salvage                    VolumeInfo (lastSalvage says what it chose)
//   GET    /nodes                                     NodeInfo[]
//   GET    /nodes/{node}                              NodeInfo
//   GET    /nodes/{node}/events                       EventInfo[] (newest first)
//   GET    /volumes/{name}/events                     EventInfo[] (newest first)
//   GET    /rebuilds                                  VolumeRebuildInfo[]
//   POST   /nodes/{node}/evict                        EvictionInfo
//   POST   /nodes/{node}/disks/{disk}/evict           EvictionInfo
//   POST   /nodes/{node}/schedule    SetSchedulable   NodeInfo
//   POST   /nodes/{node}/disks       AddDisk          DiskInfo (201)
//   DELETE /nodes/{node}/disks/{disk}                 (204)
//   POST   /nodes/{node}/disks/{disk}/schedule SetSchedulable DiskInfo
//   GET    /openapi/v1.json                           the OpenAPI document

/// <summary>Replica modes (DESIGN §2): RW in sync, WO rebuilding, ERR failed.</summary>
public static class ReplicaModes
{
    public const string ReadWrite = "RW";
    public const string WriteOnly = "WO";
    public const string Error = "ERR";
}

/// <summary>Volume states and robustness values as the API spells them.</summary>
public static class VolumeStates
{
    public const string Creating = "creating";
    public const string Detached = "detached";
    public const string Attaching = "attaching";
    public const string Attached = "attached";
    public const string Detaching = "detaching";
    public const string Deleting = "deleting";
    public const string Restoring = "restoring";
    public const string Standby = "standby";

    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Faulted = "faulted";
    public const string Unknown = "unknown";
}

/// <param name="SoftAntiAffinity">A replacement replica may go to another disk of a node holding one when no other node has room; null: the cluster's setting.</param>
public sealed record CreateVolume(string Name, long Size, int? Replicas = null, bool? SoftAntiAffinity = null);

public sealed record AttachVolume(string? Node = null);

public sealed record ExpandVolume(long Size);

public sealed record CreateSnapshot(string? Name = null, Dictionary<string, string>? Labels = null);

public sealed record RevertVolume(string Snapshot);

/// <summary><see cref="Create"/>: make the directory when it does not exist; otherwise a missing path is refused.</summary>
public sealed record AddDisk(string Path, string? Name = null, bool Schedulable = true, bool Create = false);

public sealed record SetSchedulable(bool Schedulable);

public sealed record VolumeInfo(
    string Name,
    Guid Id,
    long Size,
    int ReplicaCount,
    string State,
    string Robustness,
    string? AttachedTo,
    string? Endpoint,
    long Epoch,
    int SnapshotCount,
    DateTimeOffset Created,
    IReadOnlyList<ReplicaInfo> Replicas,
    SalvageInfo? LastSalvage = null,
    string? DetachReason = null,
    string? Activity = null,
    string? Controller = null,
    RebuildInfo? Rebuild = null,
    bool? SoftAntiAffinity = null,
    string? AppliedBackup = null);

/// <summary>
/// The rebuild running: <c>done</c> of <c>total</c> bytes of the snapshot layers, at <c>bytesPerSecond</c>, <c>etaSeconds</c>
/// left (null until a rate is known); <c>copied</c> counts a layer started over from another source again.
/// </summary>
public sealed record RebuildInfo(string Replica, string Node, string? Replaces, DateTimeOffset Started, string? Source, long Done, long Total, long Copied,
    double BytesPerSecond, double Percent, double? EtaSeconds);

/// <summary>
/// Something that happened to a volume's replicas: <c>kind</c> is replica-failed, rebuild-started, rebuilt, catch-up-started,
/// caught-up, eviction-requested, replica-removed, stale-replica-removed or salvaged; <c>node</c> is where the replica was.
/// </summary>
public sealed record EventInfo(DateTimeOffset At, string Volume, string Kind, string? Replica, string? Node, string Detail);

/// <summary>
/// An eviction accepted: the node (or disk) takes no new replicas, and its <c>replicas</c> are rebuilt elsewhere then removed,
/// for every volume in <c>moving</c>; those in <c>offline</c> are detached and move by an offline rebuild.
/// </summary>
public sealed record EvictionInfo(string Node, string? Disk, int Replicas, IReadOnlyList<string> Moving, IReadOnlyList<string> Offline);

/// <summary>A rebuild running in the cluster, with its volume.</summary>
public sealed record VolumeRebuildInfo(string Volume, RebuildInfo Rebuild);

/// <summary>What the volume's last salvage chose: the replica that serves, those reconciled from it, those left ERR and why.</summary>
public sealed record SalvageInfo(DateTimeOffset At, string Source, IReadOnlyList<string> Reconciled, IReadOnlyList<LeftOutInfo> Left, string Reason);

public sealed record LeftOutInfo(string Replica, string Why);

public sealed record ReplicaInfo(string Id, string Node, string Disk, string Mode, string? Failure, DateTimeOffset? FailedAt);

public sealed record SnapshotInfo(string Name, string? Parent, DateTimeOffset Created, bool UserCreated, bool Removed, long Size, IReadOnlyDictionary<string, string>? Labels);

public sealed record NodeInfo(string Id, string Address, string Status, bool Schedulable, string? ApiEndpoint, string? NbdEndpoint, IReadOnlyList<DiskInfo> Disks);

public sealed record DiskInfo(string Name, string Node, string Path, bool Schedulable, long CapacityBytes, long AvailableBytes, long ScheduledBytes, int ReplicaCount);

public sealed record ClusterInfo(string ClusterId, string SelfNode, string? Leader, IReadOnlyList<MemberInfo> Members);

public sealed record MemberInfo(string Node, string Address, string Status, IReadOnlyList<string> Roles);

/// <summary>
/// A replica directory on <c>node</c> that no volume knows (a crash between steps, a volume deleted while the node was away):
/// kept until an operator deletes it. <c>volumeId</c> is the volume its files name, when they open; <c>why</c> says why it is an orphan.
/// </summary>
public sealed record OrphanInfo(string Replica, string Node, string Disk, long SizeBytes, Guid? VolumeId, string Why);
