using System.Collections.Concurrent;
using ActorStore.Backup.Records;
using ActorStore.Backup.Targets;

namespace ActorStore.Backup;

/// <summary>
/// One backup: reads the blocks that may have changed since the base backup from the snapshot, several at a time,
/// uploads those whose content the target does not hold yet, then puts the record (after the blocks are durable and
/// the lease confirmed). A failure anywhere leaves no record: the blocks uploaded stay for the next backup to find,
/// or for a collection to delete.
/// </summary>
internal sealed class BackupWriter(BackupStore store)
{
    private readonly ConcurrentBag<BlockCodec> _codecs = [];
    private long _done;
    private long _read;
    private long _uploaded;
    private long _uploadedBytes;
    private long _reused;

    public async Task<BackupRecord> RunAsync(BackupRequest request, IBackupSource source, Action<TransferProgress>? progress, CancellationToken cancel)
    {
        var blockSize = store.Options.BlockSize;
        if (request.Base is { } b && (b.BlockSize != blockSize || b.Volume != request.Volume || b.VolumeId != request.VolumeId || b.Size > request.Size))
            throw new ArgumentException($"backup {b.Id} cannot be the base of a backup of '{request.Volume}' ({request.Size} bytes, {blockSize}-byte blocks)");
        var created = DateTimeOffset.UtcNow;
        var id = request.Id ?? StoreLayout.NewBackupId(created);
        var count = (request.Size + blockSize - 1) / blockSize;
        var reading = request.ReadBlocks.Where(i => i >= 0 && i < count).Distinct().Order().ToArray();
        var hashes = new ConcurrentDictionary<long, string>();
        var known = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        foreach (var block in request.Base?.Blocks ?? [])
        {
            known.TryAdd(block.Hash, 0); // named by a record, so in the target (the lease keeps collections off them)
            if (Array.BinarySearch(reading, block.Index) < 0) hashes[block.Index] = block.Hash;
        }
        var total = reading.Sum(i => (long)Length(i, request.Size, blockSize));
        await using var lease = await store.Leases.AcquireAsync(new TargetLease(id, "backup", request.Volume, id, request.Holder, created), cancel).ConfigureAwait(false);
        // The base's blocks count as present only while its record is: it may have been deleted before the lease was put.
        if (request.Base is { } based && await store.GetBackupAsync(request.Volume, based.Id, cancel).ConfigureAwait(false) is null)
            throw new KeyNotFoundException($"backup {based.Id}, the base of this incremental backup of '{request.Volume}', was deleted meanwhile; run the backup again");
        var volume = await store.GetVolumeAsync(request.Volume, cancel).ConfigureAwait(false)
                     ?? new BackupVolumeRecord(request.Volume, request.Size, blockSize, created, null, null);
        if (volume.BlockSize != blockSize)
            throw new ArgumentException($"the target keeps volume '{request.Volume}' in {volume.BlockSize}-byte blocks, not {blockSize}");
        progress?.Invoke(new TransferProgress(0, total));
        try
        {
            await Parallel.ForEachAsync(reading, new ParallelOptions { MaxDegreeOfParallelism = store.Options.Parallelism, CancellationToken = cancel }, async (index, ct) =>
            {
                var length = Length(index, request.Size, blockSize);
                if (await BackUpBlockAsync(source, index * (long)blockSize, length, known, ct).ConfigureAwait(false) is { } hash) hashes[index] = hash;
                progress?.Invoke(new TransferProgress(Interlocked.Add(ref _done, length), total));
            }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or BackupTargetException or OperationCanceledException)
        {
            await KeepUploadsAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            foreach (var codec in _codecs) codec.Dispose();
        }

        await store.Target.SyncAsync(cancel).ConfigureAwait(false);
        await lease.ConfirmAsync(cancel).ConfigureAwait(false);
        var record = new BackupRecord(id, request.Volume, request.VolumeId, request.Snapshot, request.SnapshotCreated, created, DateTimeOffset.UtcNow, request.Size, blockSize,
            request.Labels, request.Base?.Id, new BackupStats(_read, _uploaded, _uploadedBytes, _reused),
            hashes.OrderBy(h => h.Key).Select(h => new BlockRef(h.Key, h.Value)).ToArray());
        await store.Target.PutAsync(StoreLayout.Backup(request.Volume, id), RecordJson.Write(record), cancel).ConfigureAwait(false);
        if (volume.LastBackupAt is null || volume.LastBackupAt < record.Completed)
            volume = volume with { Size = request.Size, LastBackup = id, LastBackupAt = record.Completed };
        await store.PutVolumeAsync(volume, cancel).ConfigureAwait(false);
        return record;
    }

    /// <summary>A backup that failed midway still makes the blocks it uploaded whole and visible: the next backup finds them.</summary>
    private async Task KeepUploadsAsync()
    {
        try
        {
            await store.Target.SyncAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (BackupTargetException)
        {
            // The target itself failed: what was staged stays hidden, named by nothing, and is dropped with the target.
        }
    }

    /// <summary>Reads one block and uploads it unless the target holds its content; its hash, or null for a block of zeros (a hole).</summary>
    private async Task<string?> BackUpBlockAsync(IBackupSource source, long offset, int length, ConcurrentDictionary<string, byte> known, CancellationToken cancel)
    {
        using var plain = new PooledBytes(length);
        await source.ReadAsync(offset, plain.Memory, cancel).ConfigureAwait(false);
        Interlocked.Increment(ref _read);
        if (BlockCodec.IsZero(plain.Span)) return null;
        var hash = BlockCodec.Hash(plain.Span);
        if (known.ContainsKey(hash))
        {
            Interlocked.Increment(ref _reused);
            return hash;
        }
        var found = await store.Target.StatAsync(StoreLayout.Block(hash), cancel).ConfigureAwait(false);
        var codec = _codecs.TryTake(out var c) ? c : new BlockCodec(store.Options.Compression);
        using var stored = codec.Encode(plain.Span);
        _codecs.Add(codec);
        var storedLength = stored.Length;
        // A block no record names yet may be what a writer killed mid-put left (a server whose put is not atomic keeps
        // the part it got): trusted only at the size this backup would store, else written again over it.
        if (found is not null && found.Size == storedLength)
        {
            known.TryAdd(hash, 0);
            Interlocked.Increment(ref _reused);
            return hash;
        }
        await store.Target.StageAsync(StoreLayout.Block(hash), stored.Memory, cancel).ConfigureAwait(false);
        known.TryAdd(hash, 0);
        Interlocked.Increment(ref _uploaded);
        Interlocked.Add(ref _uploadedBytes, storedLength);
        return hash;
    }

    internal static int Length(long index, long size, int blockSize) => (int)Math.Min(blockSize, size - index * blockSize);
}
