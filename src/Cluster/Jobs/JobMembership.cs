using static ActorStore.Cluster.Jobs.JobProtocol;

namespace ActorStore.Cluster.Jobs;

/// <summary>
/// Which jobs apply to which volume (Longhorn's rule): a volume names jobs (<c>job:NAME</c>) and groups (<c>group:NAME</c>);
/// a job applies to the volumes that name it or one of its groups, and a volume that names nothing is in group <c>default</c>.
/// </summary>
public sealed class JobMembership
{
    public const string DefaultGroup = "default";
    private readonly Dictionary<string, SortedSet<string>> _items = new(StringComparer.Ordinal);

    /// <summary>Every volume's items, for a snapshot.</summary>
    public IEnumerable<(string Volume, string Item)> All => _items.SelectMany(v => v.Value.Select(i => (v.Key, i)));

    public IReadOnlyList<string> ItemsOf(string volume) => _items.TryGetValue(volume, out var items) ? items.ToArray() : [];

    public void Add(string volume, string item)
    {
        if (!_items.TryGetValue(volume, out var items)) _items[volume] = items = new SortedSet<string>(StringComparer.Ordinal);
        items.Add(item);
    }

    public void Remove(string volume, string item)
    {
        if (_items.TryGetValue(volume, out var items) && items.Remove(item) && items.Count == 0) _items.Remove(volume);
    }

    public bool AppliesTo(JobSpec job, string volume)
    {
        var items = ItemsOf(volume);
        if (items.Count == 0) return job.Groups.Contains(DefaultGroup);
        return items.Contains($"job:{job.Name}") || job.Groups.Any(g => items.Contains($"group:{g}"));
    }

    /// <summary><c>job:NAME</c> or <c>group:NAME</c> with a valid name, or why not.</summary>
    public static string? Invalid(string item) =>
        item.Split(':') is [("job" or "group"), var name] && Blocks.Names.IsValid(name) ? null : $"'{item}' must be job:NAME or group:NAME";
}
