namespace ActorStore.Blocks.Tests.Model;

/// <summary>
/// An in-memory model of a disk with a snapshot tree: the head's bytes, every snapshot's bytes as
/// taken, and which blocks each layer holds (which decides what TRIM may discard and what
/// BLOCK_STATUS reports), with the expected status of every operation.
/// </summary>
public sealed class ChainModel
{
    private const int B = BlockSize.Bytes;

    public sealed class Snap
    {
        public required string Name { get; init; }
        public string? Parent { get; set; }
        public required byte[] Content { get; init; }
        public required HashSet<long> Held { get; init; }
        public bool Removed { get; set; }
        public string File => $"volume-snap-{Name}.img";
    }

    public long Size { get; private set; }
    public byte[] Head { get; private set; }
    public HashSet<long> HeadHeld { get; private set; } = [];
    public string? HeadParent { get; private set; }
    public Dictionary<string, Snap> Snaps { get; } = new(StringComparer.Ordinal);
    public int MaxSnapshots { get; init; } = 250;
    /// <summary>While set, TRIM changes nothing (a half-copied replica would answer differently).</summary>
    public bool Rebuilding { get; private set; }

    public ChainModel(long size)
    {
        Size = size;
        Head = new byte[size];
    }

    /// <summary>The model of what a replica holds now (after a crash, to continue from the state it recovered to).</summary>
    public static ChainModel FromReplica(Replica replica, int maxSnapshots)
    {
        var m = new ChainModel(replica.Size) { Head = ReplicaChecks.ReadAll(replica), HeadHeld = HeldBy(replica, null), HeadParent = replica.HeadParent, MaxSnapshots = maxSnapshots, Rebuilding = replica.Rebuilding };
        foreach (var s in replica.Snapshots())
            m.Snaps[s.Name] = new Snap { Name = s.Name, Parent = s.Parent, Content = s.Removed ? [] : ReplicaChecks.ReadSnapshot(replica, s.Name), Held = HeldBy(replica, s.Name), Removed = s.Removed };
        return m;
    }

    private static HashSet<long> HeldBy(Replica replica, string? snapshot)
    {
        var extents = new List<BlockExtent>();
        if (replica.GetLayerExtents(snapshot, extents) != ReplicaStatus.Ok) throw new InvalidOperationException($"cannot list the extents of {snapshot ?? "the head"}");
        return extents.SelectMany(e => Enumerable.Range(0, (int)e.Count).Select(i => e.Start + i)).ToHashSet();
    }

    public ChainModel Clone()
    {
        var m = new ChainModel(Size) { Head = (byte[])Head.Clone(), HeadHeld = [.. HeadHeld], HeadParent = HeadParent, MaxSnapshots = MaxSnapshots, Rebuilding = Rebuilding };
        foreach (var s in Snaps.Values)
            m.Snaps[s.Name] = new Snap { Name = s.Name, Parent = s.Parent, Content = s.Content, Held = [.. s.Held], Removed = s.Removed };
        return m;
    }

    /// <summary>A random next operation for this state (see <see cref="OperationGenerator"/>).</summary>
    public Operation NextOperation(Random rng) => OperationGenerator.Next(rng, Size, Snaps.Keys.Order(StringComparer.Ordinal).ToList());

    /// <summary>Blocks any layer of the current chain holds: data in BLOCK_STATUS.</summary>
    public bool Allocated(long block) => HeadHeld.Contains(block) || LowerHolds(block);

    public ReplicaStatus Apply(Operation op)
    {
        switch (op.Kind)
        {
            case OpKind.Write or OpKind.Zero or OpKind.Trim:
                if (op.Offset < 0 || op.Length < 0 || op.Offset > Size - op.Length) return ReplicaStatus.OutOfRange;
                if (op.Length == 0) return ReplicaStatus.Ok;
                if (op.Kind == OpKind.Write) Write(op.Offset, op.Data());
                else if (op.Kind == OpKind.Zero || !Rebuilding) Discard(op.Offset, op.Length, op.Kind == OpKind.Zero, op.Allocate || Rebuilding);
                return ReplicaStatus.Ok;
            case OpKind.Snapshot:
                if (!Names.IsValid(op.Name)) return ReplicaStatus.InvalidName;
                if (Snaps.TryGetValue(op.Name, out var taken)) return taken.Removed ? ReplicaStatus.SnapshotRemoved : ReplicaStatus.AlreadyExists;
                if (Snaps.Count >= MaxSnapshots) return ReplicaStatus.TooManySnapshots;
                Snaps[op.Name] = new Snap { Name = op.Name, Parent = HeadParent, Content = (byte[])Head.Clone(), Held = HeadHeld };
                HeadHeld = [];
                HeadParent = op.Name;
                return ReplicaStatus.Ok;
            case OpKind.Delete or OpKind.Revert when !Names.IsValid(op.Name):
                return ReplicaStatus.InvalidName;
            case OpKind.Delete:
                if (!Snaps.TryGetValue(op.Name, out var d)) return ReplicaStatus.NotFound;
                d.Removed = true;
                return ReplicaStatus.Ok;
            case OpKind.Rebuilding:
                Rebuilding = op.Allocate;
                return ReplicaStatus.Ok;
            case OpKind.Purge:
                Purge();
                return ReplicaStatus.Ok;
            case OpKind.Revert:
                if (!Snaps.TryGetValue(op.Name, out var t)) return ReplicaStatus.NotFound;
                if (t.Removed) return ReplicaStatus.SnapshotRemoved;
                Head = new byte[Size];
                t.Content.CopyTo(Head, 0);
                HeadHeld = [];
                HeadParent = t.Name;
                return ReplicaStatus.Ok;
            case OpKind.Expand:
                if (op.Length <= 0) return ReplicaStatus.OutOfRange;
                if (op.Length % B != 0 || op.Length < Size) return ReplicaStatus.InvalidArgument;
                var head = new byte[op.Length];
                Head.CopyTo(head, 0);
                Head = head;
                Size = op.Length;
                return ReplicaStatus.Ok;
            default:
                return ReplicaStatus.Ok;
        }
    }

    private void Write(long offset, byte[] data)
    {
        data.CopyTo(Head, offset);
        for (var b = offset / B; b <= (offset + data.Length - 1) / B; b++) HeadHeld.Add(b);
    }

    private void Discard(long offset, long length, bool zero, bool allocate)
    {
        var first = (offset + B - 1) / B;
        var end = (offset + length) / B;
        if (first >= end)
        {
            if (zero) Write(offset, new byte[length]);
            return;
        }
        if (zero)
        {
            if (first * B > offset) Write(offset, new byte[first * B - offset]);
            if (offset + length > end * B) Write(end * B, new byte[offset + length - end * B]);
        }
        for (var b = first; b < end; b++)
        {
            var lower = LowerHolds(b);
            var inHead = HeadHeld.Contains(b);
            if (!zero)
            {
                if (inHead && !lower)
                {
                    HeadHeld.Remove(b);
                    Array.Clear(Head, (int)(b * B), B);
                }
                continue;
            }
            Array.Clear(Head, (int)(b * B), B);
            if (lower || allocate) HeadHeld.Add(b);
            else HeadHeld.Remove(b);
        }
    }

    private bool LowerHolds(long block)
    {
        for (var p = HeadParent; p is not null; p = Snaps[p].Parent)
            if (Snaps[p].Held.Contains(block)) return true;
        return false;
    }

    private void Purge()
    {
        var pruned = new HashSet<string>();
        for (var progress = true; progress;)
        {
            progress = false;
            foreach (var s in Snaps.Values.Where(s => s.Removed).OrderBy(s => s.File, StringComparer.Ordinal).ToList())
            {
                var children = Snaps.Values.Where(c => c.Parent == s.Name).ToList();
                var headIsChild = HeadParent == s.Name;
                var count = children.Count + (headIsChild ? 1 : 0);
                if (count == 0)
                {
                    Snaps.Remove(s.Name);
                    progress = true;
                }
                else if (count == 1 && !headIsChild)
                {
                    children[0].Held.UnionWith(s.Held);
                    children[0].Parent = s.Parent;
                    Snaps.Remove(s.Name);
                    progress = true;
                }
                else if (count == 1 && pruned.Add(s.Name)) s.Held.ExceptWith(HeadHeld);
            }
        }
    }
}
