using System.CommandLine;
using ActorStore.Cli.Output;
using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.Cli.Commands;

/// <summary>pbm snapshot create | list | delete | purge | revert.</summary>
public static class SnapshotCommands
{
    public static Command Create(CommandRunner run) => new("snapshot", "Take, list, delete and revert to snapshots")
    {
        CreateSnapshot(run), List(run), Delete(run), Purge(run), Revert(run),
    };

    private static Argument<string> Volume() => Arguments.Name("VOLUME", "volume", "The volume's name");

    private static Argument<string> Snapshot() => Arguments.Name("NAME", "snapshot", "The snapshot's name");

    private static Command CreateSnapshot(CommandRunner run)
    {
        var volume = Volume();
        var name = Arguments.OptionalName("NAME", "snapshot", "The snapshot's name [default: one the node picks]");
        var command = new Command("create", "Take a snapshot of a volume") { volume, name };
        command.SetAction(run.Show<SnapshotInfo>(
            parse => Call.Post(Routes.Snapshots(parse.GetRequiredValue(volume)), new CreateSnapshot(parse.GetValue(name))),
            (parse, snapshot, terminal) => terminal.Line($"snapshot {snapshot.Name} of volume {parse.GetRequiredValue(volume)} created")));
        return command;
    }

    private static Command List(CommandRunner run)
    {
        var volume = Volume();
        var command = new Command("list", "List a volume's snapshots") { volume };
        command.SetAction(run.Show<SnapshotInfo[]>(
            parse => Call.Get(Routes.Snapshots(parse.GetRequiredValue(volume))),
            (_, snapshots, terminal) => terminal.Write(Tables.Snapshots(snapshots))));
        return command;
    }

    private static Command Delete(CommandRunner run)
    {
        var volume = Volume();
        var name = Snapshot();
        var command = new Command("delete", "Mark a snapshot removed; purge reclaims its space") { volume, name };
        command.SetAction(run.Do(
            parse => Call.Delete(Routes.Snapshot(parse.GetRequiredValue(volume), parse.GetRequiredValue(name))),
            (parse, terminal) => terminal.Line($"snapshot {parse.GetRequiredValue(name)} of volume {parse.GetRequiredValue(volume)} deleted")));
        return command;
    }

    private static Command Purge(CommandRunner run)
    {
        var volume = Volume();
        var command = new Command("purge", "Fold removed snapshots away and reclaim their space") { volume };
        command.SetAction(run.Show<SnapshotInfo[]>(
            parse => Call.Post(Routes.VolumeAction(parse.GetRequiredValue(volume), "purge")),
            (parse, remaining, terminal) =>
            {
                terminal.Line($"volume {parse.GetRequiredValue(volume)} purged; {remaining.Length} snapshots remain");
                if (remaining.Length > 0) terminal.Write(Tables.Snapshots(remaining));
            }));
        return command;
    }

    private static Command Revert(CommandRunner run)
    {
        var volume = Volume();
        var name = Snapshot();
        var command = new Command("revert", "Revert a detached volume to a snapshot") { volume, name };
        command.SetAction(run.Show<VolumeInfo>(
            parse => Call.Post(Routes.VolumeAction(parse.GetRequiredValue(volume), "revert"), new RevertVolume(parse.GetRequiredValue(name))),
            (parse, reverted, terminal) => terminal.Line($"volume {reverted.Name} reverted to snapshot {parse.GetRequiredValue(name)}")));
        return command;
    }
}
