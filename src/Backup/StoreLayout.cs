using System.Text.RegularExpressions;

namespace ActorStore.Backup;

/// <summary>
/// The keys of a backup target. Blocks are shared by every volume (content-addressed, stored once); records live
/// per volume; leases and the collector's lock sit at the top:
/// <code>
/// volumes/VOLUME/volume.json            volumes/VOLUME/backups/BACKUP.json
/// blocks/AB/ABCDEF….blk                 leases/ID.json    locks/collector.json    locks/collections.json
/// </code>
/// </summary>
public static partial class StoreLayout
{
    public const string Volumes = "volumes/";
    public const string Blocks = "blocks/";
    public const string Leases = "leases/";
    public const string CollectorLock = "locks/collector.json";
    public const string Collections = "locks/collections.json";

    public static string Volume(string volume) => $"{Volumes}{Checked(volume)}/volume.json";

    public static string Backups(string volume) => $"{Volumes}{Checked(volume)}/backups/";

    public static string Backup(string volume, string id) => $"{Backups(volume)}{Checked(id)}.json";

    public static string Block(string hash) => $"{Blocks}{hash[..2]}/{hash}.blk";

    public static string Lease(string id) => $"{Leases}{Checked(id)}.json";

    /// <summary>The hash a block key names, or null when the key is not a block's.</summary>
    public static string? HashOf(string key) =>
        key.StartsWith(Blocks, StringComparison.Ordinal) && key.EndsWith(".blk", StringComparison.Ordinal) && key.Length == Blocks.Length + 3 + 64 + 4
            ? key[(Blocks.Length + 3)..^4]
            : null;

    /// <summary>A new backup's id: sortable by time, unique across nodes.</summary>
    public static string NewBackupId(DateTimeOffset now) => $"backup-{now.UtcDateTime:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}";

    public static bool IsName(string name) => NamePattern().IsMatch(name);

    private static string Checked(string name) =>
        IsName(name) ? name : throw new ArgumentException($"'{name}' is not a volume or backup name (lowercase letters, digits and '-')", nameof(name));

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
