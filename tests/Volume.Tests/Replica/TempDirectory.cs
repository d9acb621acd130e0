namespace ActorStore.Volume.Tests.Replicas;

/// <summary>
/// A fresh directory on the real disk, removed afterwards. Under the repository's ignored
/// <c>data/test-tmp</c>, not /tmp, which is tmpfs on some systems: tmpfs has no extent map.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    private static readonly string Root = FindRoot();

    public TempDirectory()
    {
        Path = System.IO.Path.Combine(Root, "actorstore-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ActorStore.sln")))
                return System.IO.Path.Combine(dir.FullName, "data", "test-tmp");
        return System.IO.Path.GetTempPath();
    }
}
