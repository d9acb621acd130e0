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

    public ReplicaSetView(IReadOnlyList<Member> members)
    {
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

    /// <summary>While a replica rebuilds, TRIM is a no-op (its result would differ on a half-copied replica).</summary>
    public bool AnyWriteOnly { get; }

    public sealed record Member(string ReplicaId, ReplicaMode Mode, IReplicaChannel Channel);
}
