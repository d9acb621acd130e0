using System.Globalization;
using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.Cli.Output;

/// <summary>What pbm prints for one object: its details, then the table of what it holds.</summary>
public static class Views
{
    public static void Cluster(ClusterInfo cluster, Terminal terminal)
    {
        terminal.Write(Tables.Details(
            ("Cluster", cluster.ClusterId),
            ("This node", cluster.SelfNode),
            ("Leader", cluster.Leader)));
        terminal.Line("");
        terminal.Write(Tables.Members(cluster.Members ?? []));
    }

    public static void Volume(VolumeInfo volume, Terminal terminal)
    {
        terminal.Write(Tables.Details(
            ("Name", volume.Name),
            ("Id", volume.Id.ToString()),
            ("Size", $"{Sizes.Format(volume.Size)} ({volume.Size} bytes)"),
            ("State", volume.DetachReason is { } why && volume.State == "detached" ? $"detached ({why})" : volume.State),
            ("Activity", volume.Activity),
            ("Robustness", volume.Robustness),
            ("Replicas", volume.ReplicaCount.ToString(CultureInfo.InvariantCulture)),
            ("Attached to", volume.AttachedTo),
            ("Controller on", volume.Controller),
            ("Endpoint", volume.Endpoint),
            ("Snapshots", volume.SnapshotCount.ToString(CultureInfo.InvariantCulture)),
            ("Created", Tables.Time(volume.Created))));
        terminal.Line("");
        terminal.Write(Tables.Replicas(volume.Replicas ?? []));
        if (volume.Rebuild is { } rebuild)
        {
            terminal.Line("");
            terminal.Line(RebuildLine(rebuild));
        }
        if (volume.LastSalvage is { } salvage)
        {
            terminal.Line("");
            Salvage(salvage, terminal);
        }
    }

    /// <summary>What an eviction moves: every volume with a replica there, the detached ones by an offline rebuild.</summary>
    public static void Evicting(EvictionInfo e, Terminal terminal)
    {
        var what = e.Disk is null ? $"node {e.Node}" : $"disk {e.Disk} of node {e.Node}";
        terminal.Line($"{what} takes no new replicas; {e.Replicas} replica(s) to move");
        if (e.Moving.Count > 0) terminal.Line($"  rebuilding elsewhere now: {string.Join(", ", e.Moving)} (`pbm volume rebuilds` shows progress)");
        if (e.Offline.Count > 0) terminal.Line($"  detached, moved by an offline rebuild: {string.Join(", ", e.Offline)}");
    }

    /// <summary>While `--wait` waits for an eviction: "node node-2: 2 volume(s) left to move (vol-1, vol-3); 1 of them detached, moving offline (vol-3)".</summary>
    public static string EvictionStatus(EvictionLeft left) =>
        $"{Subject(left)}: {left.Moving.Count} volume(s) left to move ({FirstNames(left.Moving)})" + Offline(left);

    /// <summary>The last line of `--wait` when no volume has a replica there any more.</summary>
    public static string EvictionDone(EvictionLeft left, TimeSpan waited) => $"{Subject(left)} holds no replicas any more (waited {Durations.Format(waited)})";

    /// <summary>The one line when --wait-timeout ran out: what is left, that the eviction goes on, and what to run.</summary>
    public static string EvictionTimedOut(EvictionLeft left, TimeSpan waited, IReadOnlyList<VolumeRebuildInfo> running)
    {
        var again = left.Disk is null ? $"pbm node evict {left.Node} --wait" : $"pbm node disk evict {left.Node} {left.Disk} --wait";
        var moving = left.Moving.Select(v => running.FirstOrDefault(r => r.Volume == v) is { } r
            ? $"{v} (rebuilding, {r.Rebuild.Percent.ToString("0.0", CultureInfo.InvariantCulture)}%)"
            : $"{v} (no rebuild running)").ToList();
        return $"gave up waiting after {Durations.Format(waited)}: {Subject(left)} still holds replicas of {left.Moving.Count} volume(s): "
            + FirstNames(moving) + Offline(left)
            + $"; the eviction goes on: run '{again}' to wait again, 'pbm volume events VOLUME' says why a volume does not move";
    }

    private static string Subject(EvictionLeft left) => left.Disk is null ? $"node {left.Node}" : $"disk {left.Disk} of node {left.Node}";

    private static string Offline(EvictionLeft left) =>
        left.Offline.Count == 0 ? "" : $"; {left.Offline.Count} of them detached, moving offline ({FirstNames(left.Offline)})";

    /// <summary>At most the first five names, and how many more.</summary>
    private static string FirstNames(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(5)) + (names.Count > 5 ? $", … {names.Count - 5} more" : "");

    /// <summary>One line: which replica, how far, how fast, how long left.</summary>
    public static string RebuildLine(RebuildInfo r) =>
        $"rebuilding {r.Replica} on {r.Node}{(r.Replaces is { } old ? $" (replaces {old})" : "")}: {r.Percent:0.0}% "
        + $"({Sizes.Format(r.Done)} of {Sizes.Format(r.Total)}) at {Sizes.Format((long)r.BytesPerSecond)}/s"
        + (r.EtaSeconds is { } eta ? $", {TimeSpan.FromSeconds(Math.Ceiling(eta)):g} left" : "") + (r.Source is { } s ? $", from {s}" : "");

    public static void Backup(BackupInfo b, Terminal terminal) =>
        terminal.Write(Tables.Details(
            ("Backup", b.Id), ("Volume", b.Volume), ("Snapshot", b.Snapshot), ("State", b.State), ("Created", Tables.Time(b.Created)),
            ("Completed", b.Completed is null ? null : Tables.Time(b.Completed)), ("Size", b.State == "completed" ? Sizes.Format(b.Size) : null),
            ("Blocks", b.State == "completed" ? $"{b.Blocks} (uploaded {b.UploadedBlocks}, {Sizes.Format(b.UploadedBytes ?? 0)} stored; {b.ReusedBlocks} in the target already)" : null),
            ("Incremental from", b.Base), ("Node", b.Node), ("Progress", b.Progress is { } p ? ProgressLine("", p) : null), ("Error", b.Error)));

    /// <summary>One line: how far a backup or restore is, how fast, how long left.</summary>
    public static string ProgressLine(string what, BackupProgressInfo p) =>
        $"{(what.Length > 0 ? what + ": " : "")}{(p.Total > 0 ? 100.0 * p.Done / p.Total : 0):0.0}% ({Sizes.Format(p.Done)} of {Sizes.Format(p.Total)}) at {Sizes.Format((long)p.BytesPerSecond)}/s"
        + (p.EtaSeconds is { } eta ? $", {Durations.Eta(eta)} left" : "");

    /// <summary>What a salvage chose and why, after `pbm volume salvage`.</summary>
    public static void Salvaged(VolumeInfo volume, Terminal terminal)
    {
        terminal.Line($"volume {volume.Name} is {volume.Robustness} again ({volume.State})");
        if (volume.LastSalvage is { } salvage) Salvage(salvage, terminal);
    }

    private static void Salvage(SalvageInfo salvage, Terminal terminal)
    {
        terminal.Line($"salvaged {Tables.Time(salvage.At)}: {salvage.Source} serves ({salvage.Reason})");
        terminal.Line($"  reconciled from it: {(salvage.Reconciled.Count == 0 ? "none" : string.Join(", ", salvage.Reconciled))}");
        foreach (var left in salvage.Left) terminal.Line($"  left ERR: {left.Replica}: {left.Why}");
    }

    public static void Node(NodeInfo node, Terminal terminal)
    {
        terminal.Write(Tables.Details(
            ("Node", node.Id),
            ("Address", node.Address),
            ("Status", node.Status),
            ("Schedulable", Tables.YesNo(node.Schedulable)),
            ("API", node.ApiEndpoint),
            ("NBD", node.NbdEndpoint)));
        terminal.Line("");
        terminal.Write(Tables.Disks(node.Disks ?? []));
    }

    /// <summary>Where the attached volume is served and how to connect to it.</summary>
    public static void Attached(VolumeInfo volume, Terminal terminal)
    {
        if (string.IsNullOrEmpty(volume.Endpoint))
        {
            terminal.Line($"volume {volume.Name} is {volume.State}; no NBD endpoint yet: see 'pbm volume show {volume.Name}'");
            return;
        }

        var (host, port) = SplitEndpoint(volume.Endpoint);
        terminal.Line($"volume {volume.Name} attached to {volume.AttachedTo ?? "?"}; NBD endpoint {volume.Endpoint} (export '{volume.Name}')");
        terminal.Line("connect with one of:");
        terminal.Line($"  sudo nbd-client {host} {port} -N {volume.Name} /dev/nbd0");
        terminal.Line($"  nbdfuse DIR nbd://{host}:{port}/{volume.Name}");
    }

    /// <summary>HOST and PORT of an endpoint written as HOST:PORT or nbd://HOST:PORT[/EXPORT].</summary>
    public static (string Host, string Port) SplitEndpoint(string endpoint)
    {
        if (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme.StartsWith("nbd", StringComparison.Ordinal))
            return (uri.Host, (uri.Port > 0 ? uri.Port : 10809).ToString(CultureInfo.InvariantCulture));
        var colon = endpoint.LastIndexOf(':');
        return colon > 0 ? (endpoint[..colon], endpoint[(colon + 1)..]) : (endpoint, "10809");
    }
}
