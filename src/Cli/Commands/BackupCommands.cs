using System.CommandLine;
using ActorStore.Cli.Output;
using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.Cli.Commands;

/// <summary>pbm backup target set | show, create | list | show | delete.</summary>
public static class BackupCommands
{
    public const string SecretKeyVariable = "PBM_BACKUP_SECRET_KEY";

    public static Command Create(CommandRunner run, GlobalOptions globals) => new("backup", "Back volumes up to the backup target, list and delete backups")
    {
        Target(run, globals), CreateBackup(run), List(run), Show(run), Delete(run), Restore(run), Restores(run),
    };

    private static Argument<string> Id() => Arguments.Name("BACKUP", "backup", "The backup's id (pbm backup list shows them)");

    private static Command Target(CommandRunner run, GlobalOptions globals)
    {
        var address = new Argument<string>("URL") { Description = "dir:///path (a local disk or an NFS mount at the same path on every node) or s3://bucket/prefix?endpoint=URL&region=REGION" };
        var accessKey = new Option<string?>("--access-key") { Description = "The S3 access key", HelpName = "KEY" };
        var secretKey = new Option<string?>("--secret-key")
        {
            Description = $"The S3 secret key (env {SecretKeyVariable}, which keeps it out of the shell's history)",
            HelpName = "SECRET",
            DefaultValueFactory = _ => globals.Environment(SecretKeyVariable) is { Length: > 0 } env ? env : null,
        };
        var set = new Command("set", "Set the cluster's backup target; it is checked by listing it first") { address, accessKey, secretKey };
        set.SetAction(run.Show<BackupTargetInfo>(
            parse => Call.Put(Routes.BackupTarget, new SetBackupTarget(parse.GetRequiredValue(address), parse.GetValue(accessKey), parse.GetValue(secretKey))),
            (_, target, terminal) => terminal.Line($"backup target set to {target.Address}{(target.HasCredentials ? " (with credentials)" : "")}")));
        var show = new Command("show", "Show the backup target (never its credentials)");
        show.SetAction(run.Show<BackupTargetInfo>(
            _ => Call.Get(Routes.BackupTarget),
            (_, target, terminal) => terminal.Line(target.Address is null ? "no backup target is set" : $"{target.Address}{(target.HasCredentials ? " (with credentials)" : "")}")));
        return new Command("target", "Set or show where backups go") { set, show };
    }

    private static Command CreateBackup(CommandRunner run)
    {
        var volume = Arguments.Name("VOLUME", "volume", "The volume to back up");
        var snapshot = Arguments.OptionalName("SNAPSHOT", "snapshot", "The snapshot to back up [default: a new one, named as the backup]");
        var wait = Arguments.Wait("Follow the backup until it ends, with its progress");
        var command = new Command("create", "Back up a snapshot of a volume to the backup target") { volume, snapshot, wait };
        command.SetAction(run.Converse(async (parse, session, cancellation) =>
        {
            var call = Call.Post(Routes.VolumeBackups(parse.GetRequiredValue(volume)), new Cluster.Api.Contracts.CreateBackup(parse.GetValue(snapshot)));
            if (await session.AskAsync<BackupInfo>(call, cancellation) is not { } started) return session.ExitCode;
            if (!parse.GetValue(wait))
            {
                if (session.Json) session.Terminal.Line(System.Text.Json.JsonSerializer.Serialize(started, Json.Options));
                else session.Terminal.Line($"backup {started.Id} of volume {started.Volume} (snapshot {started.Snapshot}) started on node {started.Node}; `pbm backup show {started.Id}` follows it");
                return ExitCodes.Ok;
            }
            return await Waiting.BackupAsync(session, started, cancellation);
        }));
        return command;
    }

    private static Command List(CommandRunner run)
    {
        var volume = Arguments.OptionalName("VOLUME", "volume", "Only this volume's backups");
        var command = new Command("list", "List the backups in the target, and those running or failed") { volume };
        command.SetAction(run.Show<BackupInfo[]>(
            parse => Call.Get(parse.GetValue(volume) is { } v ? Routes.BackupsOf(v) : Routes.Backups),
            (_, backups, terminal) => terminal.Write(Tables.Backups(backups))));
        return command;
    }

    private static Command Show(CommandRunner run)
    {
        var id = Id();
        var command = new Command("show", "Show one backup") { id };
        command.SetAction(run.Show<BackupInfo>(parse => Call.Get(Routes.Backup(parse.GetRequiredValue(id))), (_, b, terminal) => Views.Backup(b, terminal)));
        return command;
    }

    private static Command Restore(CommandRunner run)
    {
        var id = Id();
        var volume = Arguments.Name("NEW-VOLUME", "volume", "The volume to create and restore into");
        var size = new Option<long?>("--size")
        {
            Description = "The new volume's size, at least the backup's (e.g. 20G) [default: the backup's]",
            HelpName = "SIZE",
            CustomParser = result =>
            {
                if (Sizes.TryParse(result.Tokens.Count > 0 ? result.Tokens[^1].Value : "", out var bytes, out var error)) return bytes;
                result.AddError(error);
                return null;
            },
        };
        var replicas = new Option<int?>("--replicas") { Description = "Replicas of the new volume [default: the cluster's]", HelpName = "N" };
        var standby = new Option<bool>("--standby")
        {
            Description = "A disaster-recovery volume: it then takes each newer backup of the same volume, and is attached only once activated (pbm volume activate)",
        };
        var wait = Arguments.Wait("Follow the restore until it ends, with its progress");
        var command = new Command("restore", "Restore a backup into a new volume (also from another cluster's backups on the same target)") { id, volume, size, replicas, standby, wait };
        command.SetAction(run.Converse((parse, session, cancellation) => RestoreAsync(session, parse.GetRequiredValue(id), parse.GetRequiredValue(volume),
            parse.GetValue(size), parse.GetValue(replicas), parse.GetValue(standby), parse.GetValue(wait), cancellation)));
        return command;
    }

    /// <summary>pbm backup restore, and pbm volume create --from-backup: starts the restore, then follows it with --wait.</summary>
    public static async Task<int> RestoreAsync(Session session, string backup, string volume, long? size, int? replicas, bool standby, bool wait, CancellationToken cancellation)
    {
        var call = Call.Post(Routes.BackupRestore(backup), new RestoreBackup(volume, size, replicas, standby));
        if (await session.AskAsync<RestoreInfo>(call, cancellation) is not { } started) return session.ExitCode;
        if (!wait)
        {
            if (session.Json) session.Terminal.Line(System.Text.Json.JsonSerializer.Serialize(started, Json.Options));
            else session.Terminal.Line($"restore {started.Id} of backup {started.Backup} into volume {started.Volume} started; `pbm backup restores` follows it");
            return ExitCodes.Ok;
        }
        return await Waiting.RestoreAsync(session, started, cancellation);
    }

    private static Command Restores(CommandRunner run)
    {
        var command = new Command("restores", "List the restores running, completed and failed lately");
        command.SetAction(run.Show<RestoreInfo[]>(_ => Call.Get(Routes.Restores), (_, restores, terminal) => terminal.Write(Tables.Restores(restores))));
        return command;
    }

    private static Command Delete(CommandRunner run)
    {
        var id = Id();
        var command = new Command("delete", "Delete a backup, and the blocks no other backup uses") { id };
        command.SetAction(run.Show<BackupDeleted>(
            parse => Call.Delete(Routes.Backup(parse.GetRequiredValue(id))),
            (_, d, terminal) => terminal.Line($"backup {d.Id} of volume {d.Volume} deleted; "
                + (d.Deferred is { } later ? $"its unused blocks stay for now ({later})" : $"{d.DeletedBlocks} unused blocks ({Sizes.Format(d.DeletedBytes)}) deleted"))));
        return command;
    }
}
