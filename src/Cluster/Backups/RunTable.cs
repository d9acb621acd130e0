using static ActorStore.Cluster.Backups.BackupProtocol;

namespace ActorStore.Cluster.Backups;

/// <summary>
/// The backups the coordinator started: running ones with their progress and rate, and the last failed ones (a
/// completed backup is its record in the target). A run its node stopped reporting on for <see cref="Silence"/> is stale.
/// </summary>
public sealed class RunTable(TimeSpan silence, int keepFailed = 50)
{
    private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal);

    private sealed class Run(string id, string volume, string snapshot, string node, DateTimeOffset started)
    {
        public string Id { get; } = id;
        public string Volume { get; } = volume;
        public string Snapshot { get; } = snapshot;
        public string Node { get; } = node;
        public DateTimeOffset Started { get; } = started;
        public DateTimeOffset? Ended { get; set; }
        public string? Error { get; set; }
        public long Done { get; set; }
        public long Total { get; set; }
        public double Rate { get; set; }
        public DateTimeOffset Heard { get; set; } = started;
    }

    public TimeSpan Silence { get; } = silence;

    public void Start(string id, string volume, string snapshot, string node, DateTimeOffset at, DateTimeOffset heard) =>
        _runs[id] = new Run(id, volume, snapshot, node, at) { Heard = heard };

    public bool IsRunning(string id) => _runs.TryGetValue(id, out var r) && r.Ended is null;

    public string? RunningOf(string volume) => _runs.Values.FirstOrDefault(r => r.Volume == volume && r.Ended is null)?.Id;

    public void Progress(string id, long done, long total, DateTimeOffset now)
    {
        if (!_runs.TryGetValue(id, out var r) || r.Ended is not null) return;
        var seconds = (now - r.Heard).TotalSeconds;
        if (seconds > 0 && done >= r.Done)
        {
            var rate = (done - r.Done) / seconds;
            r.Rate = r.Rate == 0 ? rate : 0.7 * r.Rate + 0.3 * rate;
        }
        (r.Done, r.Total, r.Heard) = (done, total, now);
    }

    /// <summary>Ends a run: a completed one leaves the table (the target lists it), a failed one stays listed.</summary>
    public void Finish(string id, string? error, DateTimeOffset at)
    {
        if (!_runs.TryGetValue(id, out var r)) return;
        if (error is null)
        {
            _runs.Remove(id);
            return;
        }
        (r.Ended, r.Error) = (at, error);
        foreach (var old in _runs.Values.Where(x => x.Ended is not null).OrderByDescending(x => x.Ended).Skip(keepFailed).ToArray()) _runs.Remove(old.Id);
    }

    /// <summary>Running backups whose node said nothing for <see cref="Silence"/>, with why they count as failed.</summary>
    public IReadOnlyList<(string Id, string Why)> Stale(DateTimeOffset now) =>
        _runs.Values.Where(r => r.Ended is null && now - r.Heard > Silence)
            .Select(r => (r.Id, $"node {r.Node} said nothing of it for {Silence.TotalSeconds:0} s (the node, or its replica, was lost); the target is consistent: run the backup again"))
            .ToArray();

    /// <summary>Running backups on <paramref name="node"/> it never reported on: the command did not reach it.</summary>
    public IReadOnlyList<string> Unheard(string node) => _runs.Values.Where(r => r.Ended is null && r.Node == node && r.Total == 0).Select(r => r.Id).ToArray();

    public IReadOnlyList<RunView> View() =>
        _runs.Values.OrderByDescending(r => r.Started)
            .Select(r => new RunView(r.Id, r.Volume, r.Snapshot, r.Node, r.Ended is null ? "running" : "failed", r.Started, r.Ended, r.Done, r.Total, r.Rate, r.Error))
            .ToArray();
}
