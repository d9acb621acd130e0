using ActorStore.Backup.Targets;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Backup.Tests;

/// <summary>One s3rver for the test class (started once), and a fresh target of either kind per test.</summary>
public sealed class Targets : IAsyncLifetime
{
    private readonly List<IDisposable> _owned = [];
    private S3Server? _s3;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>A new, empty target: "dir" (a directory on the real disk) or "s3" (a prefix of a bucket in s3rver).</summary>
    public async Task<IBackupTarget> NewAsync(string kind)
    {
        if (kind == "dir")
        {
            var dir = new TempDirectory();
            lock (_owned) _owned.Add(dir);
            return new DirectoryTarget(dir.Sub("target"));
        }
        _s3 ??= await S3Server.StartAsync();
        return new S3Target(_s3.Bucket, $"t-{Guid.NewGuid():N}", _s3.Endpoint, "us-east-1", S3Server.Key, S3Server.Key);
    }

    public async Task DisposeAsync()
    {
        if (_s3 is not null) await _s3.DisposeAsync();
        foreach (var d in _owned) d.Dispose();
    }
}
