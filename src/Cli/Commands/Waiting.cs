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
