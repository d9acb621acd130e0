namespace ActorStore.Blocks.Tests;

/// <summary>A fresh directory on the real file system (ext4 here), removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string? under = null)
    {
        Path = System.IO.Path.Combine(under ?? System.IO.Path.GetTempPath(), "actorstore-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
