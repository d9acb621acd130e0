namespace ActorStore.Tests.Shared;

/// <summary>
/// Where the built node, pbm and the ignored scratch directories are. The tests run from
/// tests/EndToEnd.Tests/bin/..., so the repository root is found by walking up to ActorStore.sln
/// rather than by a relative path that breaks when the output layout changes.
/// </summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    public static string Root => RootLazy.Value;

    public static string NodeDll => Path.Combine(Root, "src", "Cluster", "bin", "Release", "net10.0", "actorstore-node.dll");

    public static string PbmDll => Path.Combine(Root, "src", "Cli", "bin", "Release", "net10.0", "pbm.dll");

    /// <summary>A fresh directory under data/test-tmp (ignored by git), so a failed run can be inspected.</summary>
    public static string NewTempDirectory(string label)
    {
        var dir = Path.Combine(Root, "data", "test-tmp", $"{label}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ActorStore.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"ActorStore.sln not found above {AppContext.BaseDirectory}; run the tests from inside the repository.");
    }
}
