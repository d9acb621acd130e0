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

    /// <summary>pbm backup create … --wait: until the backup ends (see <see cref="FollowAsync{T}"/>).</summary>
    public static Task<int> BackupAsync(Session session, BackupInfo started, CancellationToken cancellation) =>
        FollowAsync(session, started, Routes.Backup(started.Id), b => (b.State, b.Progress, b.Error),
            $"backup {started.Id} of volume {started.Volume}",
            b => $"backup {b.Id} of volume {b.Volume} completed: {b.Blocks} blocks, {b.UploadedBlocks} uploaded "
                 + $"({Sizes.Format(b.UploadedBytes ?? 0)} stored), {b.ReusedBlocks} in the target already", cancellation);

    /// <summary>pbm backup restore … --wait: until the restore ends (see <see cref="FollowAsync{T}"/>).</summary>
    public static Task<int> RestoreAsync(Session session, RestoreInfo started, CancellationToken cancellation) =>
        FollowAsync(session, started, Routes.Restore(started.Id), r => (r.State, r.Progress, r.Error),
            $"restore of backup {started.Backup} into volume {started.Volume}",
            r => $"volume {r.Volume} restored from backup {r.Backup}; attach it: pbm volume attach {r.Volume}", cancellation);

    /// <summary>
    /// Polls <paramref name="route"/> until the work is no longer running: its progress on one line redrawn on a terminal, a
    /// line every 5 s elsewhere, a JSON line per poll with --json. Failed work ends with its error (exit 1).
    /// </summary>
    private static async Task<int> FollowAsync<T>(Session session, T first, string route, Func<T, (string State, BackupProgressInfo? Progress, string? Error)> state,
        string what, Func<T, string> completed, CancellationToken cancellation) where T : class
    {
        var terminal = session.Terminal;
        var printed = DateTimeOffset.MinValue;
        var width = Math.Min(terminal.Width - 1, 100);
        var now = first;
        while (true)
        {
            var (current, progress, error) = state(now);
            if (session.Json) terminal.Line(JsonSerializer.Serialize(now, Json.Options));
            else if (current == "running" && progress is { Total: > 0 } p)
            {
                var line = Views.ProgressLine(what, p);
                if (terminal.CanRedraw) terminal.Out.Write("\r" + (line.Length > width ? line[..width] : line.PadRight(width)));
                else if (DateTimeOffset.UtcNow - printed >= TimeSpan.FromSeconds(5))
                {
                    terminal.Line(line);
                    printed = DateTimeOffset.UtcNow;
                }
            }
            if (current != "running")
            {
                if (!session.Json && terminal.CanRedraw) terminal.Out.Write("\r" + new string(' ', width) + "\r");
                if (current == "failed")
                {
                    terminal.Fail($"{what} failed: {error}");
                    return ExitCodes.Refused;
                }
                if (!session.Json) terminal.Line(completed(now));
                return ExitCodes.Ok;
            }

            await Task.Delay(PollEvery, cancellation);
            if (await session.AskAsync<T>(Call.Get(route), cancellation) is not { } next) return session.ExitCode;
            now = next;
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
