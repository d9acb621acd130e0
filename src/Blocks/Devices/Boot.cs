namespace ActorStore.Blocks.Devices;

/// <summary>This boot of the machine: an unclean stop under the same boot id lost no page cache (only the process died).</summary>
internal static class Boot
{
    public static string Id { get; } = Read();

    private static string Read()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (IOException)
        {
            return ""; // unknown: every unclean stop counts as one that lost the cache
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
