using ActorStore.Backup;
using ActorStore.Backup.Records;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;
using Microsoft.Win32.SafeHandles;
using static ActorStore.EndToEnd.Tests.Harness.TestData;

namespace ActorStore.EndToEnd.Tests.Backups;

/// <summary>What the backup tests compare: a volume's content read through NBD, and a backup restored from the target on its own.</summary>
public static class BackupChecks
{
    /// <summary>Random (incompressible) data over the whole volume, through NBD.</summary>
    public static async Task FillAsync(string uri, long size)
    {
        var dir = RepoPaths.NewTempDirectory("fill");
        try
        {
            var file = Path.Combine(dir, "random.img");
            await using (var stream = File.Create(file))
            {
                var chunk = new byte[MiB];
                var random = new Random(7);
                for (long done = 0; done < size; done += chunk.Length)
                {
                    random.NextBytes(chunk);
                    await stream.WriteAsync(chunk);
                }
            }
            (await Tool.RunAsync("nbdcopy", ["--flush", file, uri], timeout: TimeSpan.FromMinutes(3))).EnsureSuccess();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static async Task<string> VolumeSha256Async(string uri)
    {
        var dir = RepoPaths.NewTempDirectory("volume-copy");
        try
        {
            var file = Path.Combine(dir, "volume.img");
            (await Tool.RunAsync("nbdcopy", [uri, file], timeout: TimeSpan.FromMinutes(3))).EnsureSuccess();
            return Sha256.OfFile(file);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static async Task<string> RestoredSha256Async(BackupStore store, BackupRecord record)
    {
        var dir = RepoPaths.NewTempDirectory("restored");
        try
        {
            var file = Path.Combine(dir, "restored.img");
            using (var handle = File.OpenHandle(file, FileMode.CreateNew, FileAccess.ReadWrite))
            {
                RandomAccess.SetLength(handle, record.Size);
                await store.RestoreAsync(record.Volume, record.Id, new FileSink(handle));
            }
            return Sha256.OfFile(file);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A restore into a plain file (sparse, the volume's size).</summary>
    private sealed class FileSink(SafeFileHandle handle) : IRestoreSink
    {
        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancel) => RandomAccess.WriteAsync(handle, data, offset, cancel);

        public ValueTask ZeroAsync(long offset, long length, CancellationToken cancel) => RandomAccess.WriteAsync(handle, new byte[length], offset, cancel);
    }
}
