namespace ActorStore.Cluster.Tests.Nodes;

/// <summary>
/// A fresh directory on the real disk under the repository's ignored <c>data/test-tmp</c> (not /tmp, which
/// may be tmpfs and is refused as a disk), removed afterwards.
/// </summary>
public sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(System.IO.Path.Combine(root, "ActorStore.sln"))) root = System.IO.Path.GetDirectoryName(root)!;
        Path = System.IO.Path.Combine(root, "data", "test-tmp", "cluster-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Leftovers under data/test-tmp are ignored by git and must not hide a test's result.
        }
    }
}
