using ActorStore.Blocks;

namespace ActorStore.Backup;

/// <summary>A snapshot of a replica open in this process, as a backup reads it; and which backup blocks it must read.</summary>
public sealed class SnapshotSource(SnapshotReader reader, string describe) : IBackupSource
{
    public ValueTask ReadAsync(long offset, Memory<byte> into, CancellationToken cancel)
    {
        var status = reader.Read(offset, into.Span);
        return status == ReplicaStatus.Ok
            ? ValueTask.CompletedTask
            : throw new IOException($"reading {describe} at offset {offset} failed: {status}");
    }

    /// <summary>
    /// The indices of the backup blocks (<paramref name="blockSize"/> bytes) that may differ between snapshot <paramref name="from"/>
    /// (null: an empty volume, so every allocated block) and <paramref name="to"/>, from the replica's changed-block list.
    /// </summary>
    public static ReplicaStatus ChangedBlocks(Replica replica, string? from, string to, int blockSize, out long[] indices)
    {
        indices = [];
        var extents = new List<BlockExtent>();
        var status = replica.GetChangedBlocks(from, to, extents);
        if (status != ReplicaStatus.Ok) return status;
        var found = new List<long>();
        foreach (var e in extents)
        {
            for (var i = e.Offset / blockSize; i <= (e.Offset + e.Length - 1) / blockSize; i++)
                if (found.Count == 0 || found[^1] < i) found.Add(i);
        }
        indices = found.ToArray();
        return ReplicaStatus.Ok;
    }
}
