namespace ActorStore.Tests.Shared;

/// <summary>
/// A fresh directory on the real disk, removed afterwards. It lives under the repository's ignored
/// <c>data/test-tmp</c>, not /tmp, which is tmpfs on some systems (Debian 13): tmpfs has no extent map.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(RepoPaths.Root, "data", "test-tmp", "actorstore-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
