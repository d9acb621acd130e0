namespace ActorStore.Volume.Protocol;

/// <summary>
/// Between a volume's controller (the sharded VolumeActor, wherever it lives) and its engine on the attach
/// node (DESIGN §2). The controller starts the engine in two phases — <see cref="StartEngine"/> opens and
/// reconciles the replicas and answers <see cref="EnginePrepared"/>; the controller persists what that found;
/// <see cref="ServeEngine"/> exports it — and stops it. The engine reports failures through the shard region
/// and waits for them to be persisted (<see cref="ReportFailures"/>). Every command names the epoch it is for,
/// and an engine ignores commands of another epoch.
/// </summary>
public static class EngineProtocol
{
    /// <summary>A command for the engine host of <see cref="Node"/>: the node directory routes it there.</summary>
    public interface IEngineCommand : IVolumeMessage
    {
        string Node { get; }

        string Volume { get; }
    }

    /// <summary>A replica as the engine needs it: where it lives, and when it failed (salvage prefers the last to fail).</summary>
    public sealed record EngineReplica(string Id, string Node, string Disk, DateTimeOffset? FailedAt) : IVolumeMessage;

    /// <summary>
    /// <paramref name="Salvage"/>: the replicas are failed ones; keep the freshest and those that agree with it.
    /// <paramref name="Track"/>: a replica of the volume is away; every write is tracked for its catch-up (DESIGN §3).
    /// <paramref name="Frontend"/>: false for an offline rebuild's engine, which heals the replicas and exports nothing.
    /// </summary>
    public sealed record StartEngine(string Node, string Volume, Guid VolumeId, long Size, long Epoch, IReadOnlyList<EngineReplica> Replicas, bool Salvage, bool Track = false,
        bool Frontend = true) : IEngineCommand;

    /// <summary>
    /// The engine holds open channels to <paramref name="Serving"/> and serves nothing yet. <paramref name="Failures"/>
    /// did not open or failed while being reconciled; <paramref name="Salvaged"/> is what a salvage chose.
    /// </summary>
    public sealed record EnginePrepared(
        string Volume,
        long Epoch,
        IReadOnlyList<string> Serving,
        IReadOnlyList<FailureReport> Failures,
        IReadOnlyList<string> Details,
        long CopiedBytes,
        SalvageChoice? Salvaged) : IVolumeMessage;

    public sealed record ServeEngine(string Node, string Volume, long Epoch) : IEngineCommand;

    /// <summary>
    /// The engine exports the volume at <paramref name="NbdEndpoint"/>. <paramref name="EnginePath"/>: the engine actor's
    /// full path, which the controller resolves to watch it (actor references never cross the wire, STYLE).
    /// </summary>
    public sealed record EngineServing(string Volume, long Epoch, string EnginePath, string NbdEndpoint) : IVolumeMessage;

    /// <summary>Stop serving (new requests get ESHUTDOWN, in-flight ones finish), flush every replica when asked, close. Answered by <see cref="EngineStopped"/>.</summary>
    public sealed record StopEngine(string Node, string Volume, long Epoch, bool Flush) : IEngineCommand;

    public sealed record EngineStopped(string Volume, long Epoch) : IVolumeMessage;

    /// <summary>Asked by a controller that recovers: is an engine of this volume running there, and under which epoch?</summary>
    public sealed record FindEngine(string Node, string Volume) : IEngineCommand;

    /// <summary><paramref name="Epoch"/> 0: no engine of the volume runs on that node. <paramref name="EnginePath"/> as in <see cref="EngineServing"/>.</summary>
    public sealed record EngineFound(string Volume, long Epoch, bool Serving, string? EnginePath, string? NbdEndpoint) : IVolumeMessage;

    /// <summary>
    /// The node directory's answer to an engine command for a node that is not an up cluster member.
    /// <paramref name="Downed"/>: the node was downed and removed from the cluster (seen by this node since it started).
    /// </summary>
    public sealed record EngineUnreachable(string Volume, string Node, string Detail, bool Downed = false) : IVolumeMessage;

    /// <summary>The engine's answer when it cannot do what it was asked (another epoch, not prepared, stopping).</summary>
    public sealed record EngineRefused(string Volume, long Epoch, string Detail) : IVolumeMessage;

    /// <summary>Drain I/O (in-flight requests finish, new ones wait) for a snapshot or purge; resumed by <see cref="ResumeIo"/> or after <paramref name="AtMost"/>.</summary>
    public sealed record PauseIo(string Node, string Volume, long Epoch, TimeSpan AtMost) : IEngineCommand;

    public sealed record IoPaused(string Volume, long Epoch) : IVolumeMessage;

    public sealed record ResumeIo(string Node, string Volume, long Epoch) : IEngineCommand;

    /// <summary>The controller failed these replicas (a snapshot or purge broke them): the engine stops using them.</summary>
    public sealed record DropReplicas(string Node, string Volume, long Epoch, IReadOnlyList<string> ReplicaIds) : IEngineCommand;

    /// <summary>Sent by the engine through the shard region; answered by <see cref="FailuresRecorded"/> once ERR is persisted.</summary>
    public sealed record ReportFailures(string Volume, long Epoch, IReadOnlyList<FailureReport> Failures) : IWithVolumeName;

    public sealed record FailuresRecorded(string Volume, long Epoch) : IVolumeMessage;

    /// <summary>A replica refused the engine's epoch: a newer engine owns the volume, this one has stopped serving.</summary>
    public sealed record EngineFenced(string Volume, long Epoch, string ReplicaId) : IWithVolumeName;

    /// <summary>A replica failure as it crosses between engine and controller. <paramref name="Epoch"/>: of the channel that saw it (0 outside the I/O path).</summary>
    public sealed record FailureReport(string ReplicaId, ReplicaOutcome Outcome, string Operation, long Epoch) : IVolumeMessage;

    public sealed record SalvageChoice(string Source, IReadOnlyList<string> Reconciled, IReadOnlyList<LeftOutReplica> Left, string Reason) : IVolumeMessage;

    public sealed record LeftOutReplica(string ReplicaId, string Why) : IVolumeMessage;

    // Rebuild (DESIGN §5): the controller adds a replacement to the running engine, takes the rebuild's snapshot
    // through its own snapshot operation, then has the engine copy the snapshot layers into it and report.

    /// <summary>Opens the new (rebuilding) replica under the engine's epoch and makes it write-only: it takes every write from now on.</summary>
    public sealed record AddReplica(string Node, string Volume, Guid VolumeId, long Epoch, EngineReplica Replica) : IEngineCommand;

    public sealed record ReplicaJoined(string Volume, long Epoch, string ReplicaId) : IVolumeMessage;

    /// <summary>
    /// Copies every snapshot layer of a healthy replica into <paramref name="ReplicaId"/>, checks each and installs them;
    /// with <paramref name="CatchUp"/>, only what a replica that was away lacks.
    /// </summary>
    public sealed record CopyReplica(string Node, string Volume, long Epoch, string ReplicaId, string ReplicaNode, CatchUpPlan? CatchUp = null) : IEngineCommand;

    /// <summary>
    /// A delta catch-up (DESIGN §3): the returning replica holds the layers <paramref name="Have"/>; its old head is staged as
    /// layer <paramref name="Patch"/>, in which the regions the healthy replicas tracked (and <paramref name="Dirty"/>, its own
    /// unflushed ones) are copied again; every other layer of the healthy replica is copied whole.
    /// </summary>
    public sealed record CatchUpPlan(IReadOnlyList<string> Have, string Patch, IReadOnlyList<Region> Dirty) : IVolumeMessage;

    /// <summary>
    /// No replica of the volume is away any more: writes go untracked and the replicas forget their absent logs — only if the
    /// engine's replicas are exactly <paramref name="Replicas"/> (a failure the controller had not recorded yet keeps tracking on).
    /// </summary>
    public sealed record EndTracking(string Node, string Volume, long Epoch, IReadOnlyList<string> Replicas) : IEngineCommand;

    /// <summary>The rebuilt replica is recorded read-write: reads may go to it.</summary>
    public sealed record PromoteReplica(string Node, string Volume, long Epoch, string ReplicaId) : IEngineCommand;

    /// <summary>
    /// How far a rebuild is: <paramref name="Done"/> of <paramref name="Total"/> bytes of the layers (a layer restarted from
    /// another source counts again from its start), <paramref name="Copied"/> bytes actually moved, from <paramref name="Source"/>.
    /// </summary>
    public sealed record RebuildProgress(string Volume, long Epoch, string ReplicaId, string Source, long Done, long Total, long Copied, double BytesPerSecond)
        : IWithVolumeName;

    /// <summary>The copy ended: every layer installed and checked (<paramref name="Succeeded"/>), or why not.</summary>
    public sealed record RebuildFinished(string Volume, long Epoch, string ReplicaId, bool Succeeded, string Detail, long Copied, bool TargetFailed)
        : IWithVolumeName;

    /// <summary>The controller has recorded how the rebuild ended.</summary>
    public sealed record RebuildRecorded(string Volume, string ReplicaId) : IVolumeMessage;
}
