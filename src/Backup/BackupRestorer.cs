using System.Buffers;
using ActorStore.Backup.Records;

namespace ActorStore.Backup;

/// <summary>
/// One restore: fetches the backup's blocks several at a time, checks each against its hash and writes it into the
/// sink. A block missing from the target or failing its check stops the restore with an error that names it: a
/// restore never writes data it cannot vouch for. Holds a lease so no collection deletes blocks under it.
/// </summary>
internal sealed class BackupRestorer(BackupStore store)
{
    private long _done;

    public async Task<BackupRecord> RunAsync(string volume, string id, IRestoreSink sink, BackupRecord? applied, string holder,
        Action<TransferProgress>? progress, CancellationToken cancel)
    {
        var leaseId = $"restore-{Guid.NewGuid():N}"[..24];
        await using var lease = await store.Leases.AcquireAsync(new TargetLease(leaseId, "restore", volume, id, holder, DateTimeOffset.UtcNow), cancel).ConfigureAwait(false);
        var record = await store.GetBackupAsync(volume, id, cancel).ConfigureAwait(false)
                     ?? throw new KeyNotFoundException($"no backup '{id}' of volume '{volume}' in {store.Target.Describe}");
        var before = applied?.Blocks.ToDictionary(b => b.Index, b => b.Hash) ?? [];
        var writes = record.Blocks.Where(b => !before.TryGetValue(b.Index, out var h) || h != b.Hash).ToArray();
        var now = record.Blocks.Select(b => b.Index).ToHashSet();
        var zeros = before.Keys.Where(i => !now.Contains(i) && i * (long)record.BlockSize < record.Size).Order().ToArray();
        var total = writes.Sum(b => (long)BackupWriter.Length(b.Index, record.Size, record.BlockSize));
        progress?.Invoke(new TransferProgress(0, total));
        foreach (var index in zeros)
            await sink.ZeroAsync(index * (long)record.BlockSize, BackupWriter.Length(index, record.Size, record.BlockSize), cancel).ConfigureAwait(false);
        var codecs = new System.Collections.Concurrent.ConcurrentBag<BlockCodec>();
        try
        {
            await Parallel.ForEachAsync(writes, new ParallelOptions { MaxDegreeOfParallelism = store.Options.Parallelism, CancellationToken = cancel }, async (block, ct) =>
        {
            var codec = codecs.TryTake(out var c) ? c : new BlockCodec(store.Options.Compression);
            try
            {
                await RestoreBlockAsync(record, block, codec, sink, ct).ConfigureAwait(false);
            }
            finally
            {
                codecs.Add(codec);
            }
            progress?.Invoke(new TransferProgress(Interlocked.Add(ref _done, BackupWriter.Length(block.Index, record.Size, record.BlockSize)), total));
        }).ConfigureAwait(false);
        }
        finally
        {
            foreach (var codec in codecs) codec.Dispose();
        }
        return record;
    }

    private async Task RestoreBlockAsync(BackupRecord record, BlockRef block, BlockCodec codec, IRestoreSink sink, CancellationToken cancel)
    {
        var offset = block.Index * (long)record.BlockSize;
        var length = BackupWriter.Length(block.Index, record.Size, record.BlockSize);
        var key = StoreLayout.Block(block.Hash);
        using var stored = await store.Target.GetAsync(key, cancel).ConfigureAwait(false)
                           ?? throw Corrupt("is missing from the target");
        var plain = ArrayPool<byte>.Shared.Rent(record.BlockSize);
        try
        {
            var (decoded, why) = codec.Decode(stored.Memory, plain.AsMemory(0, record.BlockSize), block.Hash);
            if (why is not null) throw Corrupt($"is damaged: {why}");
            if (decoded.Length != length) throw Corrupt($"holds {decoded.Length} bytes where the volume has {length}");
            await sink.WriteAsync(offset, decoded, cancel).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }

        BackupCorruptException Corrupt(string what) => new(
            $"block {key} (volume offset {offset}) of backup {record.Id} of '{record.Volume}' {what}; nothing wrong was written, but the restore cannot finish: restore another backup, or repair the target");
    }
}
