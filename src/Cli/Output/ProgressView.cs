using System.Globalization;
using System.Text;
using System.Text.Json;
using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.Cli.Output;

/// <summary>
/// The rebuilds' progress while pbm waits (--wait), in one of three forms (<see cref="ProgressStyle"/>): on a terminal one
/// bar per rebuild, redrawn in place; elsewhere plain lines, one per rebuild at most every 5 s or 10% step; with --json one
/// object per poll per line. A rebuild that ends gets one final line. Each poll brings its own time, so every form is
/// tested without a terminal or a clock.
/// </summary>
public sealed class ProgressView(TextWriter output, ProgressStyle style, int width = ProgressView.DefaultWidth)
{
    public const int DefaultWidth = 120;
    public const int DefaultBarWidth = 20;
    private const int MinBarWidth = 10;
    private const int MaxBarWidth = 40;
    private const string EraseBelow = "\u001b[J";
    private static readonly TimeSpan LineEvery = TimeSpan.FromSeconds(5);

    private readonly Dictionary<(string Volume, string Replica), Seen> _seen = [];
    private int _drawn;
    private string? _status;

    /// <summary>A rebuild as the last poll saw it, and as its last plain line showed it.</summary>
    private sealed record Seen(VolumeRebuildInfo Last, VolumeRebuildInfo Printed, DateTimeOffset PrintedAt);

    public static ProgressStyle StyleFor(bool json, bool canRedraw) =>
        json ? ProgressStyle.JsonLines : canRedraw ? ProgressStyle.Bars : ProgressStyle.Lines;

    /// <summary>Whether a rebuild shown before is not in <paramref name="running"/>: then <see cref="Update"/> needs the volumes to tell how it ended.</summary>
    public bool AnyEnded(IReadOnlyList<VolumeRebuildInfo> running) => _seen.Keys.Any(key => !running.Any(r => Key(r) == key));

    /// <summary>
    /// One poll: the rebuilds running at <paramref name="now"/>; <paramref name="volumes"/> (GET /volumes, or null) say how
    /// those that ended since the last poll did; <paramref name="eviction"/> is what an eviction still waits for, if any.
    /// </summary>
    public void Update(DateTimeOffset now, IReadOnlyList<VolumeRebuildInfo> running, IReadOnlyList<VolumeInfo>? volumes, EvictionLeft? eviction = null)
    {
        var ended = _seen.Where(s => !running.Any(r => Key(r) == s.Key)).Select(s => End(s.Value.Last, volumes)).ToList();
        foreach (var end in ended) _seen.Remove((end.Volume, end.Replica));
        switch (style)
        {
            case ProgressStyle.JsonLines:
                output.WriteLine(JsonSerializer.Serialize(new ProgressReport(now, running, ended, eviction?.Moving, eviction?.Offline), Json.Options));
                foreach (var r in running) _seen[Key(r)] = new Seen(r, r, now);
                break;
            case ProgressStyle.Lines:
                WriteLines(now, running, ended, eviction);
                break;
            default:
                Redraw(now, running, ended, eviction);
                break;
        }
    }

    /// <summary>The last line, for people (none with --json); on a terminal it takes the bars' place.</summary>
    public void Finish(string line)
    {
        if (style == ProgressStyle.JsonLines) return;
        output.Write(EraseDrawn());
        _drawn = 0;
        output.WriteLine(line);
    }

    /// <summary>
    /// "vol-1  r-2  [█████░░░░░░░░░░░░░░░]  25.0%   256.0 MiB/1.0 GiB   ETA 12s      64.0 MiB/s": names padded to line up,
    /// the rest in fixed widths, so several rebuilds' bars and numbers stand in columns; the rate last, as the least missed
    /// when a narrow terminal cuts the line.
    /// </summary>
    public static string BarLine(VolumeRebuildInfo r, int volumeWidth = 0, int replicaWidth = 0, int barWidth = DefaultBarWidth)
    {
        var b = r.Rebuild;
        var filled = (int)(Math.Clamp(b.Percent, 0, 100) * barWidth / 100);
        var bar = new string('█', filled) + new string('░', barWidth - filled);
        return $"{r.Volume.PadRight(volumeWidth)}  {b.Replica.PadRight(replicaWidth)}  [{bar}] {Percent(b.Percent),6}  "
            + $"{Sizes.Format(b.Done),10}/{Sizes.Format(b.Total),-10}  ETA {Durations.Eta(b.EtaSeconds),-6} {Rate(b),12}";
    }

    /// <summary>"vol-1: rebuilding r-2 on node-2, 25.0% (256.0 MiB of 1.0 GiB) at 64.0 MiB/s, ETA 12s".</summary>
    public static string ProgressLine(VolumeRebuildInfo r) =>
        $"{r.Volume}: rebuilding {r.Rebuild.Replica} on {r.Rebuild.Node}, {Percent(r.Rebuild.Percent)} "
        + $"({Sizes.Format(r.Rebuild.Done)} of {Sizes.Format(r.Rebuild.Total)}) at {Rate(r.Rebuild)}, ETA {Durations.Eta(r.Rebuild.EtaSeconds)}";

    /// <summary>A rebuild's final line: rebuilt, with its size and time; or how far it got, why it stopped and where to look.</summary>
    public static string EndLine(RebuildEnd end, DateTimeOffset now) => end.Outcome switch
    {
        RebuildEnd.Rebuilt => $"{end.Volume}: {end.Replica} on {end.Node} rebuilt, {Sizes.Format(end.Total)} in {Durations.Format(now - end.Started)}",
        RebuildEnd.Ended => $"{end.Volume}: rebuild of {end.Replica} on {end.Node} ended at {Percent(end.Percent)}",
        _ => $"{end.Volume}: rebuild of {end.Replica} on {end.Node} {end.Outcome} at {Percent(end.Percent)} ({end.Detail}); "
            + $"see 'pbm volume events {end.Volume}'",
    };

    public static string Rate(RebuildInfo r) => Sizes.Format((long)Math.Round(Math.Max(r.BytesPerSecond, 0))) + "/s";

    private static string Percent(double percent) => percent.ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static (string Volume, string Replica) Key(VolumeRebuildInfo r) => (r.Volume, r.Rebuild.Replica);

    /// <summary>How a rebuild that left the list ended: its replica's mode now, in the volumes just fetched.</summary>
    private static RebuildEnd End(VolumeRebuildInfo last, IReadOnlyList<VolumeInfo>? volumes)
    {
        var r = last.Rebuild;
        var volume = volumes?.FirstOrDefault(v => v.Name == last.Volume);
        var replica = volume?.Replicas?.FirstOrDefault(x => x.Id == r.Replica);
        var (outcome, detail) =
            volumes is null ? (RebuildEnd.Ended, null)
            : volume is null ? (RebuildEnd.Stopped, "volume deleted")
            : replica is null ? (RebuildEnd.Stopped, "replica removed")
            : replica.Mode == ReplicaModes.ReadWrite ? (RebuildEnd.Rebuilt, null)
            : replica.Mode == ReplicaModes.Error ? (RebuildEnd.Failed, replica.Failure ?? "replica failed")
            : (RebuildEnd.Stopped, $"replica still {replica.Mode}");
        return new RebuildEnd(last.Volume, r.Replica, r.Node, outcome, detail, r.Started, r.Percent, r.Done, r.Total);
    }

    private void WriteLines(DateTimeOffset now, IReadOnlyList<VolumeRebuildInfo> running, List<RebuildEnd> ended, EvictionLeft? eviction)
    {
        foreach (var end in ended) output.WriteLine(EndLine(end, now));
        if (eviction is not null && Views.EvictionStatus(eviction) is var status && status != _status)
        {
            output.WriteLine(status);
            _status = status;
        }

        foreach (var r in running)
        {
            if (_seen.TryGetValue(Key(r), out var seen) && !Due(seen, r.Rebuild, now))
            {
                _seen[Key(r)] = seen with { Last = r };
                continue;
            }

            output.WriteLine(ProgressLine(r));
            _seen[Key(r)] = new Seen(r, r, now);
        }
    }

    /// <summary>Another plain line once the rebuild reached the next 10% step, or moved on and 5 s passed.</summary>
    private static bool Due(Seen seen, RebuildInfo now, DateTimeOffset at)
    {
        var printed = seen.Printed.Rebuild;
        return Math.Floor(now.Percent / 10) > Math.Floor(printed.Percent / 10) || (now.Done != printed.Done && at - seen.PrintedAt >= LineEvery);
    }

    /// <summary>
    /// Ended rebuilds' lines stay above; the status and one bar per rebuild are redrawn in place, the bars as wide as the
    /// terminal allows, every line cut to its width (a wrapped line would throw the redraw off).
    /// </summary>
    private void Redraw(DateTimeOffset now, IReadOnlyList<VolumeRebuildInfo> running, List<RebuildEnd> ended, EvictionLeft? eviction)
    {
        var frame = new StringBuilder(EraseDrawn());
        foreach (var end in ended) frame.AppendLine(EndLine(end, now));
        var live = new List<string>();
        if (eviction is not null) live.Add(Views.EvictionStatus(eviction));
        if (running.Count > 0)
        {
            var volumeWidth = running.Max(r => r.Volume.Length);
            var replicaWidth = running.Max(r => r.Rebuild.Replica.Length);
            var barWidth = Math.Clamp(width - 1 - BarLine(running[0], volumeWidth, replicaWidth, barWidth: 0).Length, MinBarWidth, MaxBarWidth);
            live.AddRange(running.Select(r => BarLine(r, volumeWidth, replicaWidth, barWidth)));
        }

        foreach (var line in live) frame.AppendLine(line.Length < width ? line : line[..Math.Max(width - 2, 0)] + "…");
        output.Write(frame.ToString());
        _drawn = live.Count;
        foreach (var r in running) _seen[Key(r)] = new Seen(r, r, now);
    }

    /// <summary>Back to the first line drawn last time, and clear from there down.</summary>
    private string EraseDrawn() => _drawn == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"\r\u001b[{_drawn}A{EraseBelow}");
}
