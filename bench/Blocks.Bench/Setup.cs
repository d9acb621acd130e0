using ActorStore.Blocks.Devices;

namespace ActorStore.Blocks.Bench;

/// <summary>
/// A replica and plain sparse files of the same size on the same disk, set up so that each workload
/// meets the same file-system work on both sides. One layer: the replica's head and the plain file are
/// both fully written, so reads read data and writes overwrite. Twenty layers: each snapshot holds a
/// random 5% of the blocks and the plain read file holds the same blocks; writes go to the replica's
/// new empty head and, on the plain side, to a fresh sparse file (both allocate).
/// </summary>
internal sealed class Setup : IDisposable
{
    private readonly string _dir;

    private Setup(string dir, long size, PlainFileTarget plainForReads, PlainFileTarget plainForWrites, ReplicaTarget replica)
    {
        _dir = dir;
        Size = size;
        PlainForReads = plainForReads;
        PlainForWrites = plainForWrites;
        Replica = replica;
    }

    public long Size { get; }
    public PlainFileTarget PlainForReads { get; }
    public PlainFileTarget PlainForWrites { get; }
    public ReplicaTarget Replica { get; }

    private static PlainFileTarget NewPlainFile(string path, long size)
    {
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);
        RandomAccess.SetLength(handle, size);
        return new PlainFileTarget(handle);
    }

    public static Setup Create(BenchOptions options, int layers)
    {
        var dir = Path.GetFullPath(Path.Combine(options.Dir, $"layers-{layers}"));
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        var size = (long)options.SizeMiB << 20;
        var plain = NewPlainFile(Path.Combine(dir, "plain.img"), size);
        var status = ActorStore.Blocks.Replica.Create(LinuxFileSystem.Instance, Path.Combine(dir, "replica"), new ReplicaIdentity(Guid.NewGuid(), "bench", 1), size, out var replica);
        if (status != ReplicaStatus.Ok) throw new InvalidOperationException($"cannot create the replica: {status}");
        var target = new ReplicaTarget(replica!);
        if (layers == 1)
        {
            var chunk = new byte[1 << 20];
            new Random(1).NextBytes(chunk);
            for (long at = 0; at < size; at += chunk.Length)
            {
                target.Write(at, chunk);
                plain.Write(at, chunk);
            }
            if (replica!.Flush() != ReplicaStatus.Ok) throw new InvalidOperationException("flush failed");
            return new Setup(dir, size, plain, plain, target);
        }
        else
        {
            var rng = new Random(20);
            var block = new byte[BlockSize.Bytes];
            var blocks = size / BlockSize.Bytes;
            for (var layer = 0; layer < layers; layer++)
            {
                for (long b = 0; b < blocks; b++)
                {
                    if (rng.NextDouble() >= 0.05) continue;
                    rng.NextBytes(block);
                    target.Write(b * BlockSize.Bytes, block);
                    plain.Write(b * BlockSize.Bytes, block);
                }
                if (replica!.Snapshot($"layer-{layer}") != ReplicaStatus.Ok) throw new InvalidOperationException("snapshot failed");
            }
        }
        if (replica!.Flush() != ReplicaStatus.Ok) throw new InvalidOperationException("flush failed");
        Console.WriteLine($"set up {layers} layers: read index {replica.ReadIndexBytes / 1024} KiB");
        return new Setup(dir, size, plain, NewPlainFile(Path.Combine(dir, "plain-writes.img"), size), target);
    }

    public void FlushAll()
    {
        PlainForReads.Flush();
        PlainForWrites.Flush();
        Replica.Flush();
    }

    public void Dispose()
    {
        PlainForReads.Dispose();
        if (PlainForWrites != PlainForReads) PlainForWrites.Dispose();
        Replica.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
