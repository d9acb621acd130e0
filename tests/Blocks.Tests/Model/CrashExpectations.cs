using Xunit;

namespace ActorStore.Blocks.Tests.Model;

/// <summary>
/// What may be on disk after a crash (power cut or SIGKILL): the state before the interrupted
/// operation or after it, where each head block is one of the versions it had since the last point
/// at which the replica made the head durable (flush, snapshot, revert, expand, clean close).
/// </summary>
public sealed class CrashExpectations
{
    private readonly List<byte[]> _versions = [];

    public CrashExpectations(ChainModel model)
    {
        Model = model;
        _versions.Add((byte[])model.Head.Clone());
    }

    public ChainModel Model { get; private set; }

    /// <summary>Applies a completed operation to the model and the durability bookkeeping; returns the model's status.</summary>
    public ReplicaStatus Completed(Operation op)
    {
        var sizeBefore = Model.Size;
        var status = Model.Apply(op);
        var durable = status == ReplicaStatus.Ok && (op.Kind is OpKind.Flush or OpKind.Snapshot or OpKind.Revert or OpKind.Reopen
                                                       || (op.Kind == OpKind.Expand && op.Length > sizeBefore));
        if (durable) _versions.Clear();
        if (durable || op.Kind is OpKind.Write or OpKind.Zero or OpKind.Trim) _versions.Add((byte[])Model.Head.Clone());
        return status;
    }

    /// <summary>Checks a replica reopened after a crash during <paramref name="interrupted"/> (null: between operations).</summary>
    public void AssertRecovered(Replica replica, Operation? interrupted, string context)
    {
        var after = Model.Clone();
        if (interrupted is not null && interrupted.Kind != OpKind.Reopen) after.Apply(interrupted);
        var headOps = interrupted?.Kind is OpKind.Write or OpKind.Zero or OpKind.Trim;
        var beforeVersions = headOps ? [.. _versions, after.Head] : _versions;
        var afterVersions = interrupted?.Kind is OpKind.Snapshot or OpKind.Revert ? [after.Head] : beforeVersions;
        var removable = Model.Snaps.Values.Concat(after.Snaps.Values).Where(s => s.Removed).Select(s => s.Name).ToHashSet();

        var asBefore = Mismatch(replica, Model, beforeVersions, removable);
        if (asBefore is null) return;
        var asAfter = Mismatch(replica, after, afterVersions, removable);
        Assert.True(asAfter is null, $"{context}: recovered state is neither before ({asBefore}) nor after ({asAfter}) {interrupted}");
    }

    private static string? Mismatch(Replica replica, ChainModel m, List<byte[]> versions, HashSet<string> removable)
    {
        if (replica.Size != m.Size) return $"size {replica.Size} vs {m.Size}";
        if (replica.HeadParent != m.HeadParent) return $"head parent {replica.HeadParent} vs {m.HeadParent}";
        var snaps = replica.Snapshots();
        var live = snaps.Where(s => !s.Removed).Select(s => s.Name).Order().ToList();
        var expected = m.Snaps.Values.Where(s => !s.Removed).Select(s => s.Name).Order().ToList();
        if (!live.SequenceEqual(expected)) return $"snapshots [{string.Join(' ', live)}] vs [{string.Join(' ', expected)}]";
        if (snaps.Where(s => s.Removed).FirstOrDefault(s => !removable.Contains(s.Name)) is { } odd) return $"unexpected removed snapshot {odd.Name}";
        foreach (var s in m.Snaps.Values.Where(s => !s.Removed))
            if (!ReplicaChecks.ReadSnapshot(replica, s.Name).AsSpan().SequenceEqual(s.Content)) return $"snapshot {s.Name} content";
        var head = ReplicaChecks.ReadAll(replica);
        const int B = BlockSize.Bytes;
        for (var b = 0; b < head.Length / B; b++)
        {
            var block = head.AsSpan(b * B, B).ToArray();
            if (!versions.Any(v => Slice(v, b * B).SequenceEqual(block))) return $"head block {b} matches no version since the last flush";
        }
        return null;
    }

    private static ReadOnlySpan<byte> Slice(byte[] version, int at) =>
        at + BlockSize.Bytes <= version.Length ? version.AsSpan(at, BlockSize.Bytes) : new byte[BlockSize.Bytes];

    /// <summary>Continues from what the replica actually recovered to.</summary>
    public void Adopt(ChainModel recovered)
    {
        Model = recovered;
        _versions.Clear();
        _versions.Add((byte[])recovered.Head.Clone());
    }
}
