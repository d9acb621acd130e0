using System.Globalization;
using ActorStore.Cluster.Api.Contracts;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ActorStore.Cli.Output;

/// <summary>The tables pbm prints for people. Cells are plain text (never Spectre markup), so names print as given.</summary>
public static class Tables
{
    public static Table Volumes(IEnumerable<VolumeInfo> volumes) =>
        Build(["NAME", "STATE", "ROBUSTNESS", "SIZE", "REPLICAS", "ATTACHED-TO", "ENDPOINT"],
            volumes.Select(v => Row(v.Name, v.State, v.Robustness, Sizes.Format(v.Size), Number(v.ReplicaCount), v.AttachedTo, v.Endpoint)));

    public static Table Replicas(IEnumerable<ReplicaInfo> replicas) =>
        Build(["ID", "NODE", "DISK", "MODE", "FAILURE"],
            replicas.Select(r => Row(r.Id, r.Node, r.Disk, r.Mode, r.Failure)));

    public static Table Events(IEnumerable<EventInfo> events) =>
        Build(["TIME", "VOLUME", "EVENT", "REPLICA", "NODE", "DETAIL"],
            events.Select(e => Row(Time(e.At), e.Volume, e.Kind, e.Replica, e.Node, e.Detail)));

    public static Table Orphans(IEnumerable<OrphanInfo> orphans) =>
        Build(["REPLICA", "DISK", "SIZE", "VOLUME-ID", "WHY"],
            orphans.Select(o => Row(o.Replica, o.Disk, Sizes.Format(o.SizeBytes), o.VolumeId?.ToString(), o.Why)));

    public static Table Rebuilds(IEnumerable<VolumeRebuildInfo> rebuilds) =>
        Build(["VOLUME", "REPLICA", "NODE", "DONE", "OF", "PERCENT", "RATE", "ETA", "SOURCE"],
            rebuilds.Select(r => Row(r.Volume, r.Rebuild.Replica, r.Rebuild.Node, Sizes.Format(r.Rebuild.Done), Sizes.Format(r.Rebuild.Total),
                r.Rebuild.Percent.ToString("0.0", CultureInfo.InvariantCulture) + "%", Sizes.Format((long)r.Rebuild.BytesPerSecond) + "/s",
                r.Rebuild.EtaSeconds is { } eta ? TimeSpan.FromSeconds(Math.Ceiling(eta)).ToString("g", CultureInfo.InvariantCulture) : null, r.Rebuild.Source)));

    public static Table Snapshots(IEnumerable<SnapshotInfo> snapshots) =>
        Build(["NAME", "PARENT", "CREATED", "USER", "REMOVED", "SIZE"],
            snapshots.Select(s => Row(s.Name, s.Parent, Time(s.Created), YesNo(s.UserCreated), YesNo(s.Removed), Sizes.Format(s.Size))));

    public static Table Backups(IEnumerable<BackupInfo> backups) =>
        Build(["ID", "VOLUME", "SNAPSHOT", "STATE", "CREATED", "SIZE", "BLOCKS", "UPLOADED", "BASE"],
            backups.Select(b => Row(b.Id, b.Volume, b.Snapshot, b.State + (b.Progress is { } p && p.Total > 0 ? $" {100.0 * p.Done / p.Total:0}%" : ""),
                Time(b.Created), b.State == "completed" ? Sizes.Format(b.Size) : null, b.State == "completed" ? b.Blocks.ToString(CultureInfo.InvariantCulture) : null,
                b.UploadedBytes is { } u ? Sizes.Format(u) : null, b.Base)));

    public static Table Restores(IEnumerable<RestoreInfo> restores) =>
        Build(["ID", "BACKUP", "VOLUME", "STATE", "STARTED", "ENDED", "ERROR"],
            restores.Select(r => Row(r.Id, r.Backup, r.Volume, r.State + (r.Progress is { } p && p.Total > 0 ? $" {100.0 * p.Done / p.Total:0}%" : ""),
                Time(r.Started), r.Ended is null ? null : Time(r.Ended), r.Error)));

    public static Table Jobs(IEnumerable<JobInfo> jobs) =>
        Build(["JOB", "TASK", "CRON", "RETAIN", "CONCURRENCY", "GROUPS", "NEXT", "LAST"],
            jobs.Select(j => Row(j.Name, j.Task, j.Cron, Number(j.Retain), Number(j.Concurrency), string.Join(',', j.Groups), Time(j.Next),
                j.Runs.FirstOrDefault() is { } r ? $"{Time(r.Scheduled)} {(r.Ended is null ? "running" : r.Failures.Count == 0 ? "ok" : $"{r.Failures.Count} failed")}" : null)));

    public static Table JobRuns(IEnumerable<JobRunInfo> runs) =>
        Build(["SCHEDULED", "ENDED", "VOLUMES", "FAILURES"],
            runs.Select(r => Row(Time(r.Scheduled), r.Ended is null ? "running" : Time(r.Ended), string.Join(',', r.Volumes), string.Join("; ", r.Failures))));

    public static Table Nodes(IEnumerable<NodeInfo> nodes) =>
        Build(["NODE", "ADDRESS", "STATUS", "SCHEDULABLE", "DISKS"],
            nodes.Select(n => Row(n.Id, n.Address, n.Status, YesNo(n.Schedulable), Number(n.Disks?.Count ?? 0))));

    public static Table Disks(IEnumerable<DiskInfo> disks) =>
        Build(["NAME", "PATH", "SCHEDULABLE", "CAPACITY", "AVAILABLE", "SCHEDULED", "REPLICAS"],
            disks.Select(d => Row(d.Name, d.Path, YesNo(d.Schedulable), Sizes.Format(d.CapacityBytes),
                Sizes.Format(d.AvailableBytes), Sizes.Format(d.ScheduledBytes), Number(d.ReplicaCount))));

    public static Table Members(IEnumerable<MemberInfo> members) =>
        Build(["NODE", "ADDRESS", "STATUS", "ROLES"],
            members.Select(m => Row(m.Node, m.Address, m.Status, string.Join(',', m.Roles ?? []))));

    /// <summary>Two columns of "Key:" and value, for one object's details.</summary>
    public static Grid Details(params (string Key, string? Value)[] rows)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (key, value) in rows) grid.AddRow(new Text(key + ":"), new Text(Cell(value)));
        return grid;
    }

    public static string Time(DateTimeOffset? time) =>
        time?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    public static string YesNo(bool value) => value ? "yes" : "no";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Cell(string? value) => string.IsNullOrEmpty(value) ? "-" : value;

    private static IRenderable[] Row(params string?[] cells) => [.. cells.Select(c => new Text(Cell(c)))];

    private static Table Build(string[] headers, IEnumerable<IRenderable[]> rows)
    {
        var table = new Table().Border(TableBorder.None);
        foreach (var header in headers) table.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))).PadLeft(0).PadRight(2));
        foreach (var row in rows) table.AddRow(row);
        return table;
    }
}
