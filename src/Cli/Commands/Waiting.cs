using System.Diagnostics;
using System.Text.Json;
using ActorStore.Cli.Output;
using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.Cli.Commands;

/// <summary>
/// --wait: ask the node every second until the work is done, showing the rebuilds on the way (<see cref="ProgressView"/>).
/// A failed request ends the wait with its line and exit code; the work itself goes on in the cluster.
/// </summary>
public static class Waiting
{
    public static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);

    /// <summary>pbm volume rebuilds --wait: until no rebuild runs.</summary>
    public static async Task<int> RebuildsAsync(Session session, CancellationToken cancellation)
    {
        var view = session.Progress();
        while (true)
        {
            if (await session.AskAsync<VolumeRebuildInfo[]>(Call.Get(Routes.Rebuilds), cancellation) is not { } running) return session.ExitCode;
            VolumeInfo[]? volumes = null;
            if (view.AnyEnded(running) && (volumes = await session.AskAsync<VolumeInfo[]>(Call.Get(Routes.Volumes), cancellation)) is null)
                return session.ExitCode;
            view.Update(DateTimeOffset.UtcNow, running, volumes);
            if (running.Length == 0)
            {
                view.Finish("no rebuild is running");
                return ExitCodes.Ok;
            }

            await Task.Delay(PollEvery, cancellation);
        }
    }

    /// <summary>
    /// pbm backup create … --wait: until the backup ends; its progress on one line redrawn on a terminal, a line every
    /// 5 s elsewhere, a JSON line per poll with --json. A failed backup ends with its error (exit 1).
    /// </summary>
    public static async Task<int> BackupAsync(Session session, BackupInfo started, CancellationToken cancellation)
    {
        var terminal = session.Terminal;
        var printed = DateTimeOffset.MinValue;
        var backup = started;
        while (true)
        {
            if (session.Json) terminal.Line(JsonSerializer.Serialize(backup, Json.Options));
            else if (backup is { State: "running", Progress: { } p })
            {
                var line = Views.BackupLine(backup.Id, p);
                if (terminal.CanRedraw) terminal.Out.Write("\r" + line.PadRight(Math.Min(terminal.Width - 1, 100)));
                else if (DateTimeOffset.UtcNow - printed >= TimeSpan.FromSeconds(5))
                {
                    terminal.Line(line);
                    printed = DateTimeOffset.UtcNow;
                }
            }
            if (backup.State != "running")
            {
                if (!session.Json && terminal.CanRedraw) terminal.Out.Write("\r" + new string(' ', Math.Min(terminal.Width - 1, 100)) + "\r");
                if (backup.State == "failed")
                {
                    terminal.Fail($"backup {backup.Id} of volume {backup.Volume} failed: {backup.Error}");
                    return ExitCodes.Refused;
                }
                if (!session.Json)
                    terminal.Line($"backup {backup.Id} of volume {backup.Volume} completed: {backup.Blocks} blocks, {backup.UploadedBlocks} uploaded "
                        + $"({Sizes.Format(backup.UploadedBytes ?? 0)} stored), {backup.ReusedBlocks} in the target already");
                return ExitCodes.Ok;
            }

            await Task.Delay(PollEvery, cancellation);
            if (await session.AskAsync<BackupInfo>(Call.Get(Routes.Backup(backup.Id)), cancellation) is not { } now) return session.ExitCode;
            backup = now;
        }
    }

    /// <summary>
    /// pbm node evict … --wait: the eviction, then until no volume has a replica on the node (disk); detached ones move
    /// by an offline rebuild. <paramref name="limit"/>: give up after it (null: never).
    /// </summary>
    public static async Task<int> EvictionAsync(Session session, Call evict, TimeSpan? limit, CancellationToken cancellation)
    {
        if (await session.AskAsync<EvictionInfo>(evict, cancellation) is not { } eviction) return session.ExitCode;
        if (session.Json) session.Terminal.Line(JsonSerializer.Serialize(eviction, Json.Options));
        else Views.Evicting(eviction, session.Terminal);

        var view = session.Progress();
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (await session.AskAsync<VolumeInfo[]>(Call.Get(Routes.Volumes), cancellation) is not { } volumes) return session.ExitCode;
            var left = EvictionLeft.Of(eviction.Node, eviction.Disk, volumes);
            var running = volumes.Where(v => v.Rebuild is not null && left.Moving.Contains(v.Name))
                .Select(v => new VolumeRebuildInfo(v.Name, v.Rebuild!)).ToList();
            view.Update(DateTimeOffset.UtcNow, running, volumes, left);
            var waited = Stopwatch.GetElapsedTime(started);
            if (left.IsDone)
            {
                view.Finish(Views.EvictionDone(left, waited));
                return ExitCodes.Ok;
            }

            if (limit is { } most && waited >= most)
            {
                session.Terminal.Fail(Views.EvictionTimedOut(left, waited, running));
                return ExitCodes.TimedOut;
            }

            await Task.Delay(limit is { } end && end - waited < PollEvery ? end - waited : PollEvery, cancellation); // the last poll at the limit
        }
    }
}
