using static ActorStore.Cluster.Backups.BackupProtocol;

namespace ActorStore.Cluster.Backups;

/// <summary>
/// The backups and restores the coordinator started: running ones with their progress and rate, and the last ended
/// ones (a completed backup leaves: it is its record in the target). A restore runs in parts, one per replica of the new
/// volume, each on its own node; it is done when every part is. A run with a part unfinished whose node has not
/// reported for <see cref="Silence"/> is stale.
/// </summary>
public sealed class RunTable(TimeSpan silence, int keepEnded = 50)
{
    public const string Backup = "backup";
    public const string Restore = "restore";
    private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal);

    /// <param name="started">When the work began.</param>
    /// <param name="heard">When this coordinator heard of it: the parts' silence counts from then (after a recovery too).</param>
    private sealed class Run(string id, string kind, string volume, string source, string node, DateTimeOffset started, DateTimeOffset heard, IReadOnlyList<string> parts)
    {
        public string Id { get; } = id;
        public string Kind { get; } = kind;
        public string Volume { get; } = volume;
        public string Source { get; } = source;
        public string Node { get; } = node;
        public DateTimeOffset StartedAt { get; } = started;
        public DateTimeOffset? Ended { get; set; }
        public string? Error { get; set; }
        public Dictionary<string, (long Done, long Total, bool Ended, DateTimeOffset Heard)> Parts { get; } =
            parts.ToDictionary(p => p, _ => (0L, 0L, false, heard), StringComparer.Ordinal);
        public long Done => Parts.Values.Sum(p => p.Done);
        public long Total => Parts.Values.Sum(p => p.Total);
        public double Rate { get; set; }

        /// <summary>The last report of any part (the rate's clock).</summary>
        public DateTimeOffset Heard { get; set; } = heard;
    }

    public TimeSpan Silence { get; } = silence;

    /// <param name="source">A backup's snapshot, a restore's backup.</param>
    /// <param name="parts">The replicas a restore writes (a backup is one part, "").</param>
    public void Start(string id, string kind, string volume, string source, string node, DateTimeOffset at, DateTimeOffset heard, IReadOnlyList<string>? parts = null) =>
        _runs[id] = new Run(id, kind, volume, source, node, at, heard, parts is { Count: > 0 } ? parts : [""]);

    public bool IsRunning(string id) => _runs.TryGetValue(id, out var r) && r.Ended is null;

    public string? RunningOf(string volume) => _runs.Values.FirstOrDefault(r => r.Volume == volume && r.Ended is null)?.Id;

    public string? KindOf(string id) => _runs.TryGetValue(id, out var r) ? r.Kind : null;

    public string? VolumeOf(string id) => _runs.TryGetValue(id, out var r) ? r.Volume : null;

    public string? SourceOf(string id) => _runs.TryGetValue(id, out var r) ? r.Source : null;

    public void Progress(string id, string part, long done, long total, DateTimeOffset now)
    {
        if (!_runs.TryGetValue(id, out var r) || r.Ended is not null || !r.Parts.TryGetValue(part, out var was)) return;
        var before = r.Done;
        r.Parts[part] = (done, total, was.Ended, now);
        var seconds = (now - r.Heard).TotalSeconds;
        if (seconds > 0 && r.Done >= before)
        {
            var rate = (r.Done - before) / seconds;
            r.Rate = r.Rate == 0 ? rate : 0.7 * r.Rate + 0.3 * rate;
        }
        r.Heard = now;
    }

    /// <summary>A part ended well; true when it was the last: the run is done.</summary>
    public bool PartDone(string id, string part, DateTimeOffset now)
    {
        if (!_runs.TryGetValue(id, out var r) || r.Ended is not null || !r.Parts.TryGetValue(part, out var was)) return false;
        r.Parts[part] = (Math.Max(was.Done, was.Total), was.Total, true, now);
        r.Heard = now;
        return r.Parts.Values.All(p => p.Ended);
    }

    /// <summary>Ends a run: a completed backup leaves the table (the target lists it); a restore, or a failure, stays listed.</summary>
    public void Finish(string id, string? error, DateTimeOffset at)
    {
        if (!_runs.TryGetValue(id, out var r)) return;
        if (error is null && r.Kind == Backup)
        {
            _runs.Remove(id);
            return;
        }
        (r.Ended, r.Error) = (at, error);
        foreach (var old in _runs.Values.Where(x => x.Ended is not null).OrderByDescending(x => x.Ended).Skip(keepEnded).ToArray()) _runs.Remove(old.Id);
    }

    /// <summary>Running work with a part unfinished whose node said nothing for <see cref="Silence"/>, with why it counts as failed.</summary>
    public IReadOnlyList<(string Id, string Why)> Stale(DateTimeOffset now) =>
        _runs.Values.Where(r => r.Ended is null && r.Parts.Any(p => !p.Value.Ended && now - p.Value.Heard > Silence))
            .Select(r => (r.Id, $"{(r.Node.Length > 0 ? $"node {r.Node}" : $"the node writing {string.Join(", ", r.Parts.Where(p => !p.Value.Ended && now - p.Value.Heard > Silence).Select(p => p.Key))}")}"
                + $" said nothing of it for {Silence.TotalSeconds:0} s (a node, a replica or the target was lost)"))
            .ToArray();

    /// <summary>Backups running on <paramref name="node"/> that never reported: the command did not reach it (a restore's parts are judged by silence).</summary>
    public IReadOnlyList<string> Unheard(string node) =>
        _runs.Values.Where(r => r.Ended is null && r.Node == node && r.Total == 0).Select(r => r.Id).ToArray();

    /// <summary>The events that list every run again, as it started and (if it did) ended: a snapshot of the table.</summary>
    public (IReadOnlyList<BackupEvents.RunStarted> Started, IReadOnlyList<BackupEvents.RunFinished> Ended) ToEvents() =>
        (_runs.Values.OrderBy(r => r.StartedAt).Select(r => new BackupEvents.RunStarted(r.Id, r.Volume, r.Source, r.Node, r.StartedAt, r.Kind,
                r.Parts.Keys.ToArray() is [""] ? null : r.Parts.Keys.ToArray())).ToArray(),
            _runs.Values.Where(r => r.Ended is not null).OrderBy(r => r.Ended).Select(r => new BackupEvents.RunFinished(r.Id, r.Error, r.Ended!.Value)).ToArray());

    public IReadOnlyList<RunView> View() =>
        _runs.Values.OrderByDescending(r => r.StartedAt)
            .Select(r => new RunView(r.Id, r.Kind, r.Volume, r.Source, r.Node, r.Ended is null ? "running" : r.Error is null ? "completed" : "failed", r.StartedAt, r.Ended,
                r.Done, r.Total, r.Rate, r.Error))
            .ToArray();
}
