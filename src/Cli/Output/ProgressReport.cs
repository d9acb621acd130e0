using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.Cli.Output;

/// <summary>
/// One poll of <c>--wait --json</c>, printed as one line: the rebuilds running, those that ended since the poll before and,
/// while waiting for an eviction, the volumes still moving and the detached ones among them (moving by an offline rebuild).
/// </summary>
public sealed record ProgressReport(DateTimeOffset At, IReadOnlyList<VolumeRebuildInfo> Rebuilds, IReadOnlyList<RebuildEnd> Ended,
    IReadOnlyList<string>? Moving = null, IReadOnlyList<string>? Offline = null);

/// <summary>
/// A rebuild no longer running and how it ended: <c>outcome</c> is rebuilt (its replica is RW), failed (ERR), stopped (the
/// replica or volume is gone, or the replica is not RW) or ended (not known); <c>percent</c>, <c>done</c> and <c>total</c>
/// as last seen.
/// </summary>
public sealed record RebuildEnd(string Volume, string Replica, string Node, string Outcome, string? Detail,
    DateTimeOffset Started, double Percent, long Done, long Total)
{
    public const string Rebuilt = "rebuilt";
    public const string Failed = "failed";
    public const string Stopped = "stopped";
    public const string Ended = "ended";
}
