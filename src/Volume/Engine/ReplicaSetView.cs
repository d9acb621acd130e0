using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;

namespace ActorStore.Volume.Engine;

/// <summary>
/// An immutable picture of a volume's usable replicas, published by the volume actor (the only one
/// that changes replica state) and read by the I/O path without locks. A new view replaces the old
/// one whenever a replica joins, fails or changes mode.
/// </summary>
public sealed class ReplicaSetView
{
    public static ReplicaSetView Empty { get; } = new([]);

    /// <param name="track">A replica of the volume is away: every write is sent tracked, for its catch-up (DESIGN §3).</param>
    public ReplicaSetView(IReadOnlyList<Member> members, bool track = false)
    {
        Track = track;
        // Remote replicas first: their sends are in flight while a local replica writes synchronously.
        Writable = members.Where(m => m.Mode is ReplicaMode.ReadWrite or ReplicaMode.WriteOnly)
            .OrderBy(m => m.Channel.IsLocal).ToArray();
        // Local replica first: a read served in-process costs no network hop.
        Readable = members.Where(m => m.Mode == ReplicaMode.ReadWrite).OrderByDescending(m => m.Channel.IsLocal).ToArray();
        AnyWriteOnly = members.Any(m => m.Mode == ReplicaMode.WriteOnly);
    }

    /// <summary>RW and WO replicas: every write goes to all of them.</summary>
    public Member[] Writable { get; }

    /// <summary>RW replicas, the local one first.</summary>
    public Member[] Readable { get; }

    /// <summary>Writes, zeroes and trims are sent tracked: the replicas note their regions for an away replica's catch-up.</summary>
    public bool Track { get; }

    /// <summary>While a replica rebuilds, TRIM is a no-op (its result would differ on a half-copied replica).</summary>
    public bool AnyWriteOnly { get; }

    public sealed record Member(string ReplicaId, ReplicaMode Mode, IReplicaChannel Channel);
}
