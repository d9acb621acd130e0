using ActorStore.Backup;
using ActorStore.Backup.Records;
using ActorStore.Backup.Targets;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.Cluster.Backups;
using ActorStore.Volume.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using static ActorStore.Cluster.Backups.BackupProtocol;

namespace ActorStore.Cluster.Api;

/// <summary>
/// The backup target and the backups (DESIGN §7). Completed backups are read from the target itself (any cluster that
/// points at it sees them); running and failed ones come from the backup coordinator. Credentials are taken, never shown.
/// </summary>
internal static class BackupEndpoints
{
    public static void MapBackupEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("backups");
        group.MapGet("/backup-target", GetTarget).WithName("GetBackupTarget").WithSummary("Show the backup target (never its credentials)").WithProblems(504);
        group.MapPut("/backup-target", SetTarget).WithName("SetBackupTarget").WithSummary("Set the backup target of the cluster")
            .WithDescription("Checked by listing it before it is set: an unreachable target or wrong credentials are refused (503).").WithProblems(400, 503, 504);
        group.MapPost("/volumes/{name}/backups", Create).WithName("CreateBackup").WithSummary("Back up a snapshot of a volume")
            .WithDescription("Without a snapshot a new one is taken, named as the backup. Answers at once (202); GET /backups/{id} follows it.")
            .WithProblems(400, 404, 409, 503, 504);
        group.MapGet("/backups", List).WithName("ListBackups").WithSummary("List the backups: completed, running and failed")
            .WithDescription("?volume=NAME lists one volume's.").WithProblems(400, 409, 503, 504);
        group.MapGet("/backups/{id}", Get).WithName("GetBackup").WithSummary("Show one backup, with its progress while it runs").WithProblems(400, 404, 409, 503, 504);
        group.MapPost("/backups/{id}/restore", Restore).WithName("RestoreBackup").WithSummary("Restore a backup into a new volume")
            .WithDescription("The volume is created restoring (not attachable) and every replica's node writes the backup into its replica; "
                + "answers at once (202), GET /restores/{id} follows it. A restore that fails deletes the volume it made.")
            .WithProblems(400, 404, 409, 503, 504, 507);
        group.MapPost("/volumes/{name}/activate", Activate).WithName("ActivateStandby").WithSummary("Make a standby (disaster-recovery) volume an ordinary one")
            .WithDescription("At the last backup it took; refused (409) while the target holds a newer one it has not taken yet.").WithProblems(400, 404, 409, 503, 504);
        group.MapGet("/restores", Restores).WithName("ListRestores").WithSummary("List the restores running, completed and failed lately").WithProblems(504);
        group.MapGet("/restores/{id}", GetRestore).WithName("GetRestore").WithSummary("Show one restore, with its progress while it runs").WithProblems(400, 404, 504);
        group.MapDelete("/backups/{id}", Delete).WithName("DeleteBackup").WithSummary("Delete a backup")
            .WithDescription("Its blocks that no other backup uses are deleted too, unless a backup or restore runs on the target: then a later delete collects them.")
            .WithProblems(400, 404, 409, 503, 504);
    }

    private static async Task<Results<Ok<BackupTargetInfo>, ProblemHttpResult>> GetTarget(ActorAsks asks, CancellationToken ct) =>
        await asks.Backups(new BackupProtocol.GetTarget(), ct) switch
        {
            TargetView t => TypedResults.Ok(Info(t)),
            var other => Problems.From(other),
        };

    private static async Task<Results<Ok<BackupTargetInfo>, ProblemHttpResult>> SetTarget(SetBackupTarget body, ActorAsks asks, CancellationToken ct)
    {
        if (!TargetAddress.TryParse(body.Address ?? "", out var address, out var why)) return Problems.Invalid(why);
        if (address!.Scheme == "s3" && (string.IsNullOrEmpty(body.AccessKey) || string.IsNullOrEmpty(body.SecretKey)))
            return Problems.Invalid("an S3 target needs an access key and a secret key (pbm: --access-key, and --secret-key or PBM_BACKUP_SECRET_KEY)");
        try
        {
            using var target = address.Open(body.AccessKey, body.SecretKey);
            using var within = CancellationTokenSource.CreateLinkedTokenSource(ct);
            within.CancelAfter(asks.Targets.AskTimeout);
            await target.ListAsync(StoreLayout.Volumes, within.Token);
        }
        catch (BackupTargetException e)
        {
            return Problems.Of(VolumeError.Unavailable, $"the backup target was not set: {e.Message}");
        }
        return await asks.Backups(new BackupProtocol.SetTarget(address.ToString(), body.AccessKey, body.SecretKey), ct) switch
        {
            TargetView t => TypedResults.Ok(Info(t)),
            var other => Problems.From(other),
        };
    }

    private static async Task<Results<Accepted<BackupInfo>, ProblemHttpResult>> Create(string name, CreateBackup? body, ActorAsks asks, CancellationToken ct)
    {
        if ((RequestValidation.Name(name, "volume") ?? (body?.Snapshot is { } s ? RequestValidation.Name(s, "snapshot") : null) ?? RequestValidation.Labels(body?.Labels)) is { } why)
            return Problems.Invalid(why);
        return await asks.Backups(new StartBackup(name, body?.Snapshot, body?.Labels), ct) switch
        {
            RunView run => TypedResults.Accepted($"/backups/{run.Id}", Info(run)),
            var other => Problems.From(other),
        };
    }

    private static async Task<Results<Ok<List<BackupInfo>>, ProblemHttpResult>> List(string? volume, ActorAsks asks, CancellationToken ct)
    {
        if (volume is not null && RequestValidation.Name(volume, "volume") is { } why) return Problems.Invalid(why);
        return await WithStoreAsync(asks, ct, async (store, runs) =>
        {
            var volumes = volume is null ? (await store.ListVolumesAsync(ct)).Select(v => v.Name).ToArray() : [volume];
            var completed = new List<BackupRecord>();
            foreach (var v in volumes) completed.AddRange(await store.ListBackupsAsync(v, ct));
            var listed = runs.Where(r => volume is null || r.Volume == volume).Select(Info)
                .Concat(completed.Select(Info)).OrderByDescending(b => b.Created).ToList();
            return (Results<Ok<List<BackupInfo>>, ProblemHttpResult>)TypedResults.Ok(listed);
        });
    }

    private static async Task<Results<Ok<BackupInfo>, ProblemHttpResult>> Get(string id, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(id, "backup") is { } why) return Problems.Invalid(why);
        return await WithStoreAsync(asks, ct, async (store, runs) =>
        {
            if (runs.FirstOrDefault(r => r.Id == id) is { } run) return (Results<Ok<BackupInfo>, ProblemHttpResult>)TypedResults.Ok(Info(run));
            return await store.FindBackupAsync(id, ct) is { } record ? TypedResults.Ok(Info(record)) : NotFound(id);
        });
    }

    private static async Task<Results<Ok<BackupDeleted>, ProblemHttpResult>> Delete(string id, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(id, "backup") is { } why) return Problems.Invalid(why);
        return await WithStoreAsync(asks, ct, async (store, runs) =>
        {
            if (runs.Any(r => r.Id == id && r.State == "running"))
                return (Results<Ok<BackupDeleted>, ProblemHttpResult>)Problems.Of(VolumeError.WrongState, $"backup {id} is running; delete it once it has ended");
            if (await store.FindBackupAsync(id, ct) is not { } record) return NotFound(id);
            var collected = await store.DeleteBackupAsync(record.Volume, id, asks.Targets.NodeId, ct);
            return TypedResults.Ok(new BackupDeleted(id, record.Volume, collected.DeletedBlocks, collected.DeletedBytes, collected.Deferred));
        });
    }

    private static async Task<Results<Accepted<RestoreInfo>, ProblemHttpResult>> Restore(string id, RestoreBackup body, ActorAsks asks, CancellationToken ct)
    {
        if ((RequestValidation.Name(id, "backup") ?? RequestValidation.Name(body.Volume, "volume")) is { } why) return Problems.Invalid(why);
        if (body.Replicas is { } n && (n < RequestValidation.MinReplicas || n > RequestValidation.MaxReplicas))
            return Problems.Invalid($"replicas must be {RequestValidation.MinReplicas}..{RequestValidation.MaxReplicas}, not {n}");
        var found = await WithStoreAsync<BackupRecord>(asks, ct, async (store, _) =>
            await store.FindBackupAsync(id, ct) is { } record ? TypedResults.Ok(record) : NotFound(id));
        if (found.Result is not Ok<BackupRecord> { Value: { } backup }) return (ProblemHttpResult)found.Result;
        var size = body.Size ?? backup.Size;
        if (size < backup.Size || size % 4096 != 0)
            return Problems.Invalid($"the new volume's size must be a multiple of 4096 and at least the backup's {backup.Size} bytes, not {size}");
        return await asks.Backups(new StartRestore(backup.Volume, backup.Id, body.Volume, size, body.Replicas ?? asks.Targets.DefaultReplicas, body.Standby), ct) switch
        {
            RunView run => TypedResults.Accepted($"/restores/{run.Id}", RestoreOf(run)),
            var other => Problems.From(other),
        };
    }

    private static async Task<Results<Ok<VolumeInfo>, ProblemHttpResult>> Activate(string name, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(name, "volume") is { } why) return Problems.Invalid(why);
        return await asks.Backups(new ActivateStandby(name), ct) switch
        {
            VolumeProtocol.VolumeView { State: not VolumeStates.Standby and not VolumeStates.Restoring } view => TypedResults.Ok(ContractMapping.ToInfo(view)),
            VolumeProtocol.VolumeView view => Problems.Of(VolumeError.WrongState, $"volume '{name}' is {view.State}; retry in a moment"),
            var other => Problems.From(other),
        };
    }

    private static async Task<Results<Ok<List<RestoreInfo>>, ProblemHttpResult>> Restores(ActorAsks asks, CancellationToken ct) =>
        await asks.Backups(new ListRuns(), ct) switch
        {
            Runs runs => TypedResults.Ok(runs.Items.Where(r => r.Kind == RunTable.Restore).Select(RestoreOf).ToList()),
            var other => Problems.From(other),
        };

    private static async Task<Results<Ok<RestoreInfo>, ProblemHttpResult>> GetRestore(string id, ActorAsks asks, CancellationToken ct)
    {
        if (RequestValidation.Name(id, "restore") is { } why) return Problems.Invalid(why);
        return await asks.Backups(new ListRuns(), ct) switch
        {
            Runs runs when runs.Items.FirstOrDefault(r => r.Id == id && r.Kind == RunTable.Restore) is { } run => TypedResults.Ok(RestoreOf(run)),
            Runs => Problems.Of(VolumeError.NotFound, $"no restore '{id}' is known (the last {50} ended ones are kept); `pbm backup restores` lists them"),
            var other => Problems.From(other),
        };
    }

    private static RestoreInfo RestoreOf(RunView r) => new(r.Id, r.Source, r.Volume, r.State, r.Started, r.Ended,
        r.State == "running" ? new BackupProgressInfo(r.Done, r.Total, r.BytesPerSecond, r.BytesPerSecond > 0 ? (r.Total - r.Done) / r.BytesPerSecond : null) : null, r.Error);

    /// <summary>Opens the target the coordinator holds and runs <paramref name="work"/> with it and the runs; a target that fails becomes a 503 that says why.</summary>
    private static async Task<Results<Ok<T>, ProblemHttpResult>> WithStoreAsync<T>(ActorAsks asks, CancellationToken ct,
        Func<BackupStore, IReadOnlyList<RunView>, Task<Results<Ok<T>, ProblemHttpResult>>> work)
    {
        if (await asks.Backups(new BackupProtocol.GetTarget(), ct) is not TargetView target) return Problems.Timeout(new NoAnswer("the backup coordinator", asks.Targets.AskTimeout));
        if (target.Address is null || !TargetAddress.TryParse(target.Address, out var address, out _))
            return Problems.Of(VolumeError.WrongState, "no backup target is set; set one first: pbm backup target set dir:///path or s3://bucket/prefix?endpoint=URL");
        if (await asks.Backups(new ListRuns(), ct) is not Runs runs) return Problems.Timeout(new NoAnswer("the backup coordinator", asks.Targets.AskTimeout));
        try
        {
            using var opened = address!.Open(target.AccessKey, target.SecretKey);
            return await work(new BackupStore(opened, asks.Targets.BackupOptions), runs.Items.Where(r => r.Kind == RunTable.Backup).ToArray());
        }
        catch (BackupTargetException e)
        {
            return Problems.Of(VolumeError.Unavailable, e.Message);
        }
        catch (BackupCorruptException e)
        {
            return Problems.Internal(e.Message);
        }
    }

    private static ProblemHttpResult NotFound(string id) => Problems.Of(VolumeError.NotFound, $"no backup '{id}' in the backup target; `pbm backup list` shows them");

    private static BackupTargetInfo Info(TargetView t) => new(t.Address, !string.IsNullOrEmpty(t.AccessKey) || !string.IsNullOrEmpty(t.SecretKey));

    private static BackupInfo Info(RunView r) => new(r.Id, r.Volume, r.Source, r.State, r.Started, r.Ended, 0, 0, null, null, null, null,
        r.State == "running" ? new BackupProgressInfo(r.Done, r.Total, r.BytesPerSecond, r.BytesPerSecond > 0 ? (r.Total - r.Done) / r.BytesPerSecond : null) : null,
        r.Error, r.Node, null);

    private static BackupInfo Info(BackupRecord b) => new(b.Id, b.Volume, b.Snapshot, "completed", b.Created, b.Completed, b.Size, b.Blocks.Count, b.Base,
        b.Stats.UploadedBlocks, b.Stats.UploadedBytes, b.Stats.ReusedBlocks, null, null, null, b.Labels);
}
