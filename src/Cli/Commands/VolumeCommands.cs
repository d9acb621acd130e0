using System.CommandLine;
using ActorStore.Cli.Output;
using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.Cli.Commands;

/// <summary>pbm volume create | list | show | attach | detach | expand | salvage | delete | events | rebuilds.</summary>
public static class VolumeCommands
{
    public static Command Create(CommandRunner run) => new("volume", "Create, attach, resize and delete volumes")
    {
        CreateVolume(run), List(run), Show(run), Attach(run), Detach(run), Expand(run), Salvage(run), Activate(run), Delete(run), Events(run), Rebuilds(run), JobCommands.VolumeJobs(run),
    };

    private static Command Events(CommandRunner run)
    {
        var name = VolumeName();
        var command = new Command("events", "What happened to a volume's replicas, newest first") { name };
        command.SetAction(run.Show<EventInfo[]>(parse => Call.Get(Routes.VolumeAction(parse.GetRequiredValue(name), "events")),
            (_, events, terminal) => terminal.Write(Tables.Events(events))));
        return command;
    }

    private static Command Rebuilds(CommandRunner run)
    {
        var wait = Arguments.Wait("Follow the rebuilds until none runs: a progress bar each on a terminal, plain lines otherwise, JSON lines with --json");
        var command = new Command("rebuilds", "The rebuilds running in the cluster: progress, rate and time left") { wait };
        var list = run.Show<VolumeRebuildInfo[]>(_ => Call.Get(Routes.Rebuilds), (_, rebuilds, terminal) =>
        {
            if (rebuilds.Length == 0) terminal.Line("no rebuild is running");
            else terminal.Write(Tables.Rebuilds(rebuilds));
        });
        var follow = run.Converse((_, session, cancellation) => Waiting.RebuildsAsync(session, cancellation));
        command.SetAction((parse, cancellation) => parse.GetValue(wait) ? follow(parse, cancellation) : list(parse, cancellation));
        return command;
    }

    private static Argument<string> VolumeName() => Arguments.Name("NAME", "volume", "The volume's name");

    private static Command CreateVolume(CommandRunner run)
    {
        var name = VolumeName();
        var size = Arguments.Size("The volume's size");
        var replicas = new Option<int?>("--replicas") { Description = "How many replicas [default: the cluster's setting]", HelpName = "N" };
        replicas.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1) result.AddError("invalid --replicas: a volume needs at least 1 replica");
        });
        var soft = new Option<bool?>("--soft-anti-affinity")
        {
            Description = "true: a replacement replica may go to another disk of a node that holds one, when no other node has room [default: the cluster's setting]",
            HelpName = "true|false",
        };
        size.Required = false;
        var fromBackup = Arguments.NameOption("--from-backup", "backup", "Restore this backup into the new volume (as pbm backup restore); --size defaults to the backup's");
        var standby = new Option<bool>("--standby") { Description = "With --from-backup: a disaster-recovery volume that takes each newer backup until activated" };
        var wait = Arguments.Wait("With --from-backup: follow the restore until it ends");
        var command = new Command("create", "Create a volume, empty or from a backup") { name, size, replicas, soft, fromBackup, standby, wait };
        command.Validators.Add(result =>
        {
            if (result.GetValue(fromBackup) is null && result.GetResult(size) is null) result.AddError("give --size (or --from-backup)");
            if (result.GetValue(fromBackup) is null && (result.GetValue(standby) || result.GetValue(wait))) result.AddError("--standby and --wait go with --from-backup");
        });
        var create = run.Show<VolumeInfo>(
            parse => Call.Post(Routes.Volumes, new CreateVolume(parse.GetRequiredValue(name), parse.GetValue(size), parse.GetValue(replicas), parse.GetValue(soft))),
            (_, volume, terminal) => terminal.Line(
                $"volume {volume.Name} created: {Sizes.Format(volume.Size)}, {volume.ReplicaCount} replicas, {volume.State}"));
        var restore = run.Converse((parse, session, cancellation) => BackupCommands.RestoreAsync(session, parse.GetValue(fromBackup)!, parse.GetRequiredValue(name),
            parse.GetResult(size) is null ? null : parse.GetValue(size), parse.GetValue(replicas), parse.GetValue(standby), parse.GetValue(wait), cancellation));
        command.SetAction((parse, cancellation) => parse.GetValue(fromBackup) is null ? create(parse, cancellation) : restore(parse, cancellation));
        return command;
    }

    private static Command List(CommandRunner run)
    {
        var command = new Command("list", "List the volumes");
        command.SetAction(run.Show<VolumeInfo[]>(_ => Call.Get(Routes.Volumes), (_, volumes, terminal) => terminal.Write(Tables.Volumes(volumes))));
        return command;
    }

    private static Command Show(CommandRunner run)
    {
        var name = VolumeName();
        var command = new Command("show", "Show a volume and its replicas") { name };
        command.SetAction(run.Show<VolumeInfo>(
            parse => Call.Get(Routes.Volume(parse.GetRequiredValue(name))),
            (_, volume, terminal) => Views.Volume(volume, terminal)));
        return command;
    }

    private static Command Attach(CommandRunner run)
    {
        var name = VolumeName();
        var to = Arguments.NameOption("--to", "node", "The node to serve it from [default: the gateway's choice]");
        var command = new Command("attach", "Attach a volume and export it over NBD") { name, to };
        command.SetAction(run.Show<VolumeInfo>(
            parse => Call.Post(Routes.VolumeAction(parse.GetRequiredValue(name), "attach"), new AttachVolume(parse.GetValue(to))),
            (_, volume, terminal) => Views.Attached(volume, terminal)));
        return command;
    }

    private static Command Detach(CommandRunner run)
    {
        var name = VolumeName();
        var command = new Command("detach", "Detach a volume: its NBD export closes") { name };
        command.SetAction(run.Show<VolumeInfo>(
            parse => Call.Post(Routes.VolumeAction(parse.GetRequiredValue(name), "detach")),
            (_, volume, terminal) => terminal.Line($"volume {volume.Name} {volume.State}")));
        return command;
    }

    private static Command Expand(CommandRunner run)
    {
        var name = VolumeName();
        var size = Arguments.Size("The new, larger size");
        var command = new Command("expand", "Grow a volume") { name, size };
        command.SetAction(run.Show<VolumeInfo>(
            parse => Call.Post(Routes.VolumeAction(parse.GetRequiredValue(name), "expand"), new ExpandVolume(parse.GetValue(size))),
            (_, volume, terminal) => terminal.Line($"volume {volume.Name} is now {Sizes.Format(volume.Size)}")));
        return command;
    }

    private static Command Activate(CommandRunner run)
    {
        var name = VolumeName();
        var command = new Command("activate", "Make a standby (disaster-recovery) volume an ordinary one, at the last backup it took") { name };
        command.SetAction(run.Show<VolumeInfo>(
            parse => Call.Post(Routes.VolumeAction(parse.GetRequiredValue(name), "activate")),
            (_, volume, terminal) => terminal.Line($"volume {volume.Name} activated at backup {volume.AppliedBackup}; attach it: pbm volume attach {volume.Name}")));
        return command;
    }

    private static Command Salvage(CommandRunner run)
    {
        var name = VolumeName();
        var command = new Command("salvage", "Bring a faulted volume back from its freshest intact replicas") { name };
        command.SetAction(run.Show<VolumeInfo>(
            parse => Call.Post(Routes.VolumeAction(parse.GetRequiredValue(name), "salvage")),
            (_, volume, terminal) => Views.Salvaged(volume, terminal)));
        return command;
    }

    private static Command Delete(CommandRunner run)
    {
        var name = VolumeName();
        var command = new Command("delete", "Delete a volume, its snapshots and replicas") { name };
        command.SetAction(run.Do(
            parse => Call.Delete(Routes.Volume(parse.GetRequiredValue(name))),
            (parse, terminal) => terminal.Line($"volume {parse.GetRequiredValue(name)} deleted")));
        return command;
    }
}
