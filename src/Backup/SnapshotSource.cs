using ActorStore.Backup.Records;
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
    /// The backup of <paramref name="snapshot"/> of a replica open here: incremental from <paramref name="last"/> (the volume's
    /// last backup) when the replica still holds that very snapshot — same volume, same name, same time taken, not deleted —
    /// else reading every allocated block (the target's dedup still uploads only what it lacks). Null and why when the
    /// snapshot is not there to back up.
    /// </summary>
    public static BackupRequest? Plan(Replica replica, string volume, Guid volumeId, string snapshot, BackupRecord? last, string holder,
        IReadOnlyDictionary<string, string> labels, int blockSize, out string why)
    {
        why = "";
        var snapshots = replica.Snapshots();
        if (snapshots.FirstOrDefault(s => s.Name == snapshot && !s.Removed) is not { } taken)
        {
            why = $"volume '{volume}' has no snapshot '{snapshot}' (or it was deleted)";
            return null;
        }
        var usable = last is { } l && l.VolumeId == volumeId && l.BlockSize == blockSize && l.Size <= taken.Size
                     && snapshots.Any(s => s.Name == l.Snapshot && !s.Removed && s.Created == l.SnapshotCreated);
        var @base = usable ? last : null;
        if (ChangedBlocks(replica, @base?.Snapshot, snapshot, blockSize, out var blocks) is var status and not ReplicaStatus.Ok)
        {
            why = $"the replica cannot list the changed blocks of snapshot '{snapshot}': {status}";
            return null;
        }
        return new BackupRequest(volume, volumeId, snapshot, taken.Created, taken.Size, labels, blocks, @base, holder);
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
