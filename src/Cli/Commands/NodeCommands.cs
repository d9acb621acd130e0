using System.CommandLine;
using ActorStore.Cli.Output;
using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.Cli.Commands;

/// <summary>pbm node list | show | schedule | evict | events | orphans, and pbm node disk add | remove | schedule | evict.</summary>
public static class NodeCommands
{
    public static Command Create(CommandRunner run) => new("node", "Nodes and their disks")
    {
        List(run), Show(run), Schedule(run), Evict(run), Disk(run), Events(run), Orphans(run),
    };

    /// <summary>Replica directories no volume knows: listed; one deleted with --delete, and only then.</summary>
    private static Command Orphans(CommandRunner run)
    {
        var node = Node();
        var delete = Arguments.NameOption("--delete", "replica", "Delete this orphan replica's directory (checked again first; a replica some volume lists is never deleted)");
        var command = new Command("orphans", "Replica directories on a node that no volume knows (deleted only on request)") { node, delete };
        command.SetAction((parse, cancellation) => parse.GetValue(delete) is { } replica
            ? run.Do(_ => Call.Delete(Routes.NodeAction(parse.GetRequiredValue(node), $"orphans/{Uri.EscapeDataString(replica)}")),
                (_, terminal) => terminal.Line($"orphan replica {replica} deleted from node {parse.GetRequiredValue(node)}"))(parse, cancellation)
            : run.Show<OrphanInfo[]>(_ => Call.Get(Routes.NodeAction(parse.GetRequiredValue(node), "orphans")), (_, orphans, terminal) =>
            {
                if (orphans.Length == 0) terminal.Line($"node {parse.GetRequiredValue(node)} has no orphan replicas");
                else terminal.Write(Tables.Orphans(orphans));
            })(parse, cancellation));
        return command;
    }

    private static Command Events(CommandRunner run)
    {
        var node = Node();
        var command = new Command("events", "What happened to the replicas on a node, newest first") { node };
        command.SetAction(run.Show<EventInfo[]>(parse => Call.Get(Routes.NodeAction(parse.GetRequiredValue(node), "events")),
            (_, events, terminal) => terminal.Write(Tables.Events(events))));
        return command;
    }

    private static Argument<string> Node() => Arguments.Name("NODE", "node", "The node's id");

    private static Argument<string> DiskName() => Arguments.Name("DISK", "disk", "The disk's name");

    private static Command List(CommandRunner run)
    {
        var command = new Command("list", "List the nodes");
        command.SetAction(run.Show<NodeInfo[]>(_ => Call.Get(Routes.Nodes), (_, nodes, terminal) => terminal.Write(Tables.Nodes(nodes))));
        return command;
    }

    private static Command Show(CommandRunner run)
    {
        var node = Node();
        var command = new Command("show", "Show a node and its disks") { node };
        command.SetAction(run.Show<NodeInfo>(
            parse => Call.Get(Routes.Node(parse.GetRequiredValue(node))),
            (_, info, terminal) => Views.Node(info, terminal)));
        return command;
    }

    private static Command Schedule(CommandRunner run)
    {
        var node = Node();
        var on = Arguments.OnOff("on: new replicas may be placed on the node; off: none are");
        var command = new Command("schedule", "Allow or stop placing replicas on a node") { node, on };
        command.SetAction(run.Show<NodeInfo>(
            parse => Call.Post(Routes.NodeAction(parse.GetRequiredValue(node), "schedule"), new SetSchedulable(parse.GetValue(on))),
            (_, info, terminal) => terminal.Line($"node {info.Id} schedulable: {Tables.YesNo(info.Schedulable)}")));
        return command;
    }

    private static Command Evict(CommandRunner run)
    {
        var node = Node();
        var command = new Command("evict", "Move every replica off a node: each is rebuilt elsewhere, then removed") { node };
        return WithWait(run, command, parse => Call.Post(Routes.NodeAction(parse.GetRequiredValue(node), "evict")));
    }

    private static Command Disk(CommandRunner run) => new("disk", "A node's disks")
    {
        AddDisk(run), RemoveDisk(run), ScheduleDisk(run), EvictDisk(run),
    };

    private static Command EvictDisk(CommandRunner run)
    {
        var node = Node();
        var disk = DiskName();
        var command = new Command("evict", "Move every replica off a disk: each is rebuilt on another node, then removed") { node, disk };
        return WithWait(run, command, parse => Call.Post(Routes.DiskAction(parse.GetRequiredValue(node), parse.GetRequiredValue(disk), "evict")));
    }

    /// <summary>An eviction's action: print what moves; with --wait, then follow it until no attached volume has a replica there.</summary>
    private static Command WithWait(CommandRunner run, Command command, Func<ParseResult, Call> evict)
    {
        var wait = Arguments.Wait("Then follow the eviction until no attached volume has a replica there, showing the rebuilds");
        var timeout = Arguments.WaitTimeout(wait);
        command.Options.Add(wait);
        command.Options.Add(timeout);
        var once = run.Show<EvictionInfo>(evict, (_, eviction, terminal) => Views.Evicting(eviction, terminal));
        var follow = run.Converse((parse, session, cancellation) => Waiting.EvictionAsync(session, evict(parse), parse.GetValue(timeout), cancellation));
        command.SetAction((parse, cancellation) => parse.GetValue(wait) ? follow(parse, cancellation) : once(parse, cancellation));
        return command;
    }

    private static Command AddDisk(CommandRunner run)
    {
        var node = Node();
        var path = new Argument<string>("PATH") { Description = "The directory on the node that will hold replicas" };
        path.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string?>())) result.AddError("invalid disk path: it is empty");
        });
        var name = Arguments.NameOption("--name", "disk", "The disk's name [default: one the node picks]");
        var create = new Option<bool>("--create") { Description = "Make the directory if it does not exist [default: a missing directory is refused]" };
        var command = new Command("add", "Add a disk (a directory on a local file system) to a node") { node, path, name, create };
        command.SetAction(run.Show<DiskInfo>(
            parse => Call.Post(Routes.Disks(parse.GetRequiredValue(node)),
                new AddDisk(parse.GetRequiredValue(path), parse.GetValue(name), Create: parse.GetValue(create))),
            (_, disk, terminal) => terminal.Line($"disk {disk.Name} ({disk.Path}, {Sizes.Format(disk.CapacityBytes)}) added to node {disk.Node}")));
        return command;
    }

    private static Command RemoveDisk(CommandRunner run)
    {
        var node = Node();
        var disk = DiskName();
        var command = new Command("remove", "Remove a disk from a node") { node, disk };
        command.SetAction(run.Do(
            parse => Call.Delete(Routes.Disk(parse.GetRequiredValue(node), parse.GetRequiredValue(disk))),
            (parse, terminal) => terminal.Line($"disk {parse.GetRequiredValue(disk)} removed from node {parse.GetRequiredValue(node)}")));
        return command;
    }

    private static Command ScheduleDisk(CommandRunner run)
    {
        var node = Node();
        var disk = DiskName();
        var on = Arguments.OnOff("on: new replicas may be placed on the disk; off: none are");
        var command = new Command("schedule", "Allow or stop placing replicas on a disk") { node, disk, on };
        command.SetAction(run.Show<DiskInfo>(
            parse => Call.Post(Routes.DiskSchedule(parse.GetRequiredValue(node), parse.GetRequiredValue(disk)), new SetSchedulable(parse.GetValue(on))),
            (_, info, terminal) => terminal.Line($"disk {info.Name} on node {info.Node} schedulable: {Tables.YesNo(info.Schedulable)}")));
        return command;
    }
}
