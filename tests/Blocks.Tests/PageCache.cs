namespace ActorStore.Blocks.Tests;

/// <summary>Evicts clean pages so that what a test reads next comes from the file system's extent map, not the cache.</summary>
public static class PageCache
{
    public static void Drop()
    {
        Sync();
        File.WriteAllText("/proc/sys/vm/drop_caches", "1");
    }

    private static void Sync()
    {
        using var p = System.Diagnostics.Process.Start("sync")!;
        p.WaitForExit();
    }
}
