using System.Diagnostics;
using ActorStore.Blocks;
using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;
using static ActorStore.Volume.Protocol.ReplicaProtocol;

namespace ActorStore.Volume.Engine;

/// <summary>
/// A rebuild's copy (DESIGN §5), run by the engine once the new replica takes live writes and the rebuild's
/// snapshot is taken: every snapshot layer of a healthy replica, parents first, only its extents, goes into a
/// staged layer of the new one through the replica channels (reads run ahead of writes); each staged layer
/// is checked against the digest of what was read, and all are installed at once. A source that fails midway
/// is left for the next healthy replica, which starts the layer in progress over; finished layers stay.
/// A catch-up (<paramref name="catchUp"/>, DESIGN §3) copies only what the returning replica lacks: the regions the
/// healthy replicas tracked while it was away, into its old head staged as the first layer it lacks (checked against
/// that layer's full digest on the source), and the layers taken since, whole.
/// </summary>
/// <param name="bytesPerSecond">At most this many bytes a second are copied (0: as fast as it goes), to leave the disks and network to the clients.</param>
internal sealed class ReplicaCopy(string targetId, string targetNode, EngineProtocol.CatchUpPlan? catchUp, IReplicaChannel target, ReplicaCalls calls,
    Func<IReadOnlyList<ReplicaCopy.Source>> sources,
    Action<ReplicaCopy.Progress> report, long bytesPerSecond)
{
    private const int Chunk = 4 << 20;
    private const int Ahead = 8;
    private const long ExtentWindow = 1L << 30;
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(1);

    private readonly HashSet<string> _lost = new(StringComparer.Ordinal);
    private readonly byte[][] _buffers = Enumerable.Range(0, 2 * Ahead).Select(_ => new byte[Chunk]).ToArray();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _reported, _listed, _waitRead, _waitWrite;
    private long _done, _total, _copied;

    public sealed record Source(string Id, string Node, IReplicaChannel Channel);

    /// <summary>How the copy ended; <paramref name="TargetFailed"/>: the new replica is to blame (not the sources).</summary>
    public sealed record Outcome(bool Succeeded, string Detail, long Copied, bool TargetFailed);

    public sealed record Progress(string Source, long Done, long Total, long Copied, double BytesPerSecond);

    public async Task<Outcome> RunAsync(CancellationToken ct)
    {
        // Progress goes out in every phase, the long reads of listing and checking too: a controller that recovered meanwhile
        // takes a rebuild it hears nothing of for one that stopped.
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var heartbeat = HeartbeatAsync(quiet.Token);
        try
        {
            return await CopyAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            await quiet.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
        }
    }

    private async Task HeartbeatAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(ReportEvery * 2);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
                if (_clock.Elapsed - _reported >= ReportEvery * 2) Report(_lastSource ?? "", force: true);
        }
        catch (OperationCanceledException)
        {
            // The copy ended.
        }
    }

    private async Task<Outcome> CopyAsync(CancellationToken ct)
    {
        // What to copy, from the first source that can say: the layers and their extents.
        List<LayerInfo>? layers = null;
        var extents = new Dictionary<string, List<AllocationExtent>>(StringComparer.Ordinal);
        while (layers is null)
        {
            if (Next() is not { } source) return NoSource("listing the layers");
            (layers, var why) = await ListAsync(source, extents, ct).ConfigureAwait(false);
            if (layers is null) Lose(source, why);
        }
        IReadOnlyList<Region> patch = [];
        if (catchUp is not null)
        {
            var (regions, why) = await TrackedRegionsAsync().ConfigureAwait(false);
            if (regions is null) return new Outcome(false, why, 0, false);
            patch = regions;
            if (layers.All(l => l.Name != catchUp.Patch)) return new Outcome(false, $"the healthy replicas have no layer {catchUp.Patch} to patch", 0, false);
            extents[catchUp.Patch] = Within(extents[catchUp.Patch], patch);
        }
        _total = layers.Sum(l => extents[l.Name].Sum(e => e.Length));
        _listed = _clock.Elapsed;
        // Every layer staged first: a layer's check (an fsync and a read of it on the new replica) then runs while the next is copied.
        foreach (var layer in layers)
            if (await StageAsync(layer).ConfigureAwait(false) is { } staging) return TargetFailed(staging);
        var checks = new List<Task<string?>>();
        foreach (var layer in ParentsFirst(layers))
        {
            var before = _done;
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (Next() is not { } source) return NoSource($"copying layer {layer.Name}");
                var patching = layer.Name == catchUp?.Patch;
                if (patching && await PunchAsync(layer.Name, patch).ConfigureAwait(false) is { } punching) return TargetFailed(punching);
                var (result, why, digest) = await CopyLayerAsync(layer, source, extents[layer.Name], ct).ConfigureAwait(false);
                if (result == LayerResult.Copied && patching)
                {
                    // Only part of the layer was copied: the check compares the whole staged layer with the source's whole layer.
                    var whole = await calls.AskAsync(new DigestLayer(source.Node, source.Id, Guid.NewGuid(), layer.Name), CheckTime(layer.Size)).ConfigureAwait(false);
                    if (whole is LayerChecked d) digest = new LayerDigest(d.Bytes, d.Crc);
                    else (result, why) = (LayerResult.SourceFailed, $"digest of layer {layer.Name}: {ReplicaCalls.DetailOf(whole)}");
                }
                if (result == LayerResult.Copied)
                {
                    checks.Add(CheckAsync(layer, digest));
                    break;
                }
                if (result == LayerResult.TargetFailed) return TargetFailed(why);
                Lose(source, why);
                _done = before; // the layer starts over from the next source, as that one lists it
                if (await StageAsync(layer).ConfigureAwait(false) is { } staging) return TargetFailed(staging);
                if (Next() is not { } other) continue;
                var again = new List<AllocationExtent>();
                if (await ExtentsAsync(other, layer, again).ConfigureAwait(false) == ReplicaStatus.Ok) extents[layer.Name] = patching ? Within(again, patch) : again;
            }
        }
        var copiedAt = _clock.Elapsed;
        foreach (var check in checks)
            if (await check.ConfigureAwait(false) is { } wrong) return TargetFailed(wrong);
        var checkedAt = _clock.Elapsed;
        var installed = await calls.AskAsync(new InstallLayers(targetNode, targetId, Guid.NewGuid(), layers.Select(l => l.Name).ToArray())).ConfigureAwait(false);
        if (ReplicaCalls.StatusOf(installed) != ReplicaStatus.Ok) return TargetFailed($"install: {ReplicaCalls.DetailOf(installed)}");
        var ended = await calls.AskAsync(new EndRebuild(targetNode, targetId, Guid.NewGuid())).ConfigureAwait(false);
        if (ReplicaCalls.StatusOf(ended) != ReplicaStatus.Ok) return TargetFailed($"end of rebuild: {ReplicaCalls.DetailOf(ended)}");
        Report(_lastSource ?? "", force: true);
        var lost = _why.Count == 0 ? "" : $"; sources lost on the way: {string.Join("; ", _why)}";
        var took = _clock.Elapsed;
        var what = catchUp is null ? $"{layers.Count} layer(s)"
            : $"caught up: {patch.Count} region(s) ({patch.Sum(r => r.Length)} bytes) written while away patched into layer {catchUp.Patch}, {layers.Count - 1} layer(s) taken since copied whole";
        return new Outcome(true, $"{what}, {_copied} bytes copied and checked in {took.TotalSeconds:0.0} s "
            + $"(listed in {_listed.TotalSeconds:0.0} s, copied by {copiedAt.TotalSeconds:0.0} s, checked by {checkedAt.TotalSeconds:0.0} s; waited {_waitRead.TotalSeconds:0.0} s for reads, {_waitWrite.TotalSeconds:0.0} s for writes){lost}", _copied, false);
    }

    private string? _lastSource;

    /// <summary>
    /// The new replica makes the staged layer durable and digests it; null when that equals what was read from the source.
    /// Its time grows with the layer: a minute, plus a second per 100 MB (an fsync and a read of the layer).
    /// </summary>
    private async Task<string?> CheckAsync(LayerInfo layer, LayerDigest digest)
    {
        var check = await calls.AskAsync(new CheckStagedLayer(targetNode, targetId, Guid.NewGuid(), layer.Name), CheckTime(digest.Bytes)).ConfigureAwait(false);
        if (check is not LayerChecked c) return $"check layer {layer.Name}: {ReplicaCalls.DetailOf(check)}";
        return c.Bytes == digest.Bytes && c.Crc == digest.Crc ? null
            : $"layer {layer.Name} does not check out: the copy holds {new LayerDigest(c.Bytes, c.Crc)}, the source gave {digest}";
    }

    private static TimeSpan CheckTime(long bytes) => TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(bytes / 100e6);

    /// <summary>
    /// What the returning replica missed, as far as tracking knows: every region a healthy replica's absent log holds, and
    /// its own dirty ones when its page cache was lost. Anything tracking missed shows in the patched layer's digest.
    /// </summary>
    private async Task<(IReadOnlyList<Region>?, string)> TrackedRegionsAsync()
    {
        var all = new List<Region>(catchUp!.Dirty);
        foreach (var source in sources().Where(s => s.Id != targetId))
        {
            var answer = await calls.AskAsync(new ListAbsentRegions(source.Node, source.Id, Guid.NewGuid())).ConfigureAwait(false);
            if (answer is not AbsentRegionList list) return (null, $"replica {source.Id} did not list the regions written while {targetId} was away: {ReplicaCalls.DetailOf(answer)}");
            all.AddRange(list.Regions);
        }
        return (Regions.Merged(all), "");
    }

    /// <summary>The parts of <paramref name="extents"/> inside <paramref name="regions"/> (both in offset order).</summary>
    private static List<AllocationExtent> Within(List<AllocationExtent> extents, IReadOnlyList<Region> regions)
    {
        var within = new List<AllocationExtent>();
        var r = 0;
        foreach (var e in extents)
        {
            while (r < regions.Count && regions[r].Offset + regions[r].Length <= e.Offset) r++;
            for (var i = r; i < regions.Count && regions[i].Offset < e.Offset + e.Length; i++)
            {
                var start = Math.Max(e.Offset, regions[i].Offset);
                var end = Math.Min(e.Offset + e.Length, regions[i].Offset + regions[i].Length);
                if (end > start) within.Add(new AllocationExtent(start, end - start, IsHole: false));
            }
        }
        return within;
    }

    private async Task<string?> PunchAsync(string layer, IReadOnlyList<Region> regions)
    {
        var punched = await calls.AskAsync(new PunchStaged(targetNode, targetId, Guid.NewGuid(), layer, regions)).ConfigureAwait(false);
        return ReplicaCalls.StatusOf(punched) == ReplicaStatus.Ok ? null : $"clear the regions of layer {layer} written while away: {ReplicaCalls.DetailOf(punched)}";
    }

    private Source? Next() => sources().FirstOrDefault(s => !_lost.Contains(s.Id) && s.Id != targetId && !s.Channel.IsBroken);

    private void Lose(Source source, string why)
    {
        _lost.Add(source.Id);
        _why.Add($"{source.Id}: {why}");
    }

    private readonly List<string> _why = [];

    private Outcome NoSource(string step) =>
        new(false, $"no healthy replica left to copy from while {step}" + (_why.Count > 0 ? $" ({string.Join("; ", _why)})" : ""), _copied, false);

    private Outcome TargetFailed(string why) => new(false, $"the new replica failed: {why}", _copied, true);

    private async Task<(List<LayerInfo>?, string)> ListAsync(Source source, Dictionary<string, List<AllocationExtent>> extents, CancellationToken ct)
    {
        var answer = await calls.AskAsync(new ListLayers(source.Node, source.Id, Guid.NewGuid())).ConfigureAwait(false);
        if (answer is not LayerList list) return (null, $"list layers: {ReplicaCalls.DetailOf(answer)}");
        extents.Clear();
        // A catch-up skips the layers the returning replica has: their extents are not needed.
        foreach (var layer in list.Layers.Where(l => catchUp?.Have.Contains(l.Name, StringComparer.Ordinal) != true))
        {
            ct.ThrowIfCancellationRequested();
            var into = new List<AllocationExtent>();
            var status = await ExtentsAsync(source, layer, into).ConfigureAwait(false);
            if (status != ReplicaStatus.Ok) return (null, $"extents of layer {layer.Name}: {status}");
            extents[layer.Name] = into;
        }
        return (list.Layers.Where(l => extents.ContainsKey(l.Name)).ToList(), "");
    }

    /// <summary>
    /// A layer's extents, a window at a time (a window of 1 GiB holds at most 262,144 blocks, whose extents always fit
    /// one reply), each byte once and in order: an extent a window boundary cuts is reported by both windows.
    /// </summary>
    private static async Task<ReplicaStatus> ExtentsAsync(Source source, LayerInfo layer, List<AllocationExtent> into)
    {
        var done = 0L;
        var part = new List<AllocationExtent>();
        for (var at = 0L; at < layer.Size; at += ExtentWindow)
        {
            part.Clear();
            var status = await source.Channel.GetLayerExtentsAsync(layer.Name, at, Math.Min(ExtentWindow, layer.Size - at), part).ConfigureAwait(false);
            if (status != ReplicaStatus.Ok) return status;
            foreach (var e in part)
            {
                var start = Math.Max(e.Offset, done);
                if (start >= e.Offset + e.Length) continue;
                into.Add(new AllocationExtent(start, e.Offset + e.Length - start, IsHole: false));
                done = e.Offset + e.Length;
            }
        }
        return ReplicaStatus.Ok;
    }

    private async Task<string?> StageAsync(LayerInfo layer)
    {
        var staged = await calls.AskAsync(new StageLayer(targetNode, targetId, Guid.NewGuid(), layer, Keep: layer.Name == catchUp?.Patch)).ConfigureAwait(false);
        return ReplicaCalls.StatusOf(staged) == ReplicaStatus.Ok ? null : $"stage layer {layer.Name}: {ReplicaCalls.DetailOf(staged)}";
    }

    private enum LayerResult { Copied, SourceFailed, TargetFailed }

    /// <summary>Copies one layer's extents, reads running <see cref="Ahead"/> chunks ahead of the writes; returns the digest of what was read.</summary>
    private async Task<(LayerResult, string, LayerDigest)> CopyLayerAsync(LayerInfo layer, Source source, List<AllocationExtent> extents, CancellationToken ct)
    {
        _lastSource = source.Id;
        var chunks = Chunks(extents);
        var slots = _buffers.Length;
        var reads = new Task<ReplicaStatus>?[slots];
        var writes = new Task<ReplicaStatus>?[slots];
        var digest = LayerDigest.Empty;
        try
        {
            for (var i = 0; i < Math.Min(Ahead, chunks.Count); i++) reads[i] = Read(i);
            for (var i = 0; i < chunks.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var slot = i % slots;
                var w0 = _clock.Elapsed;
                var read = await reads[slot]!.ConfigureAwait(false);
                _waitRead += _clock.Elapsed - w0;
                reads[slot] = null;
                if (read != ReplicaStatus.Ok) return (LayerResult.SourceFailed, $"read layer {layer.Name} at {chunks[i].Offset}: {read}", digest);
                var data = _buffers[slot].AsMemory(0, chunks[i].Length);
                digest = digest.Append(data.Span);
                writes[slot] = target.WriteStagedAsync(layer.Name, chunks[i].Offset, data).AsTask();
                var ahead = i + Ahead;
                if (ahead < chunks.Count)
                {
                    var next = ahead % slots;
                    var w1 = _clock.Elapsed;
                    if (await FreeAsync(next).ConfigureAwait(false) is { } failed) return (LayerResult.TargetFailed, $"write layer {layer.Name}: {failed}", digest);
                    _waitWrite += _clock.Elapsed - w1;
                    reads[next] = Read(ahead);
                }
                _done += chunks[i].Length;
                _copied += chunks[i].Length;
                Report(source.Id, force: false);
                if (bytesPerSecond > 0 && TimeSpan.FromSeconds((double)_copied / bytesPerSecond) - _clock.Elapsed is { Ticks: > 0 } early)
                    await Task.Delay(early, ct).ConfigureAwait(false);
            }
            for (var slot = 0; slot < slots; slot++)
                if (await FreeAsync(slot).ConfigureAwait(false) is { } failed) return (LayerResult.TargetFailed, $"write layer {layer.Name}: {failed}", digest);
        }
        finally
        {
            // Nothing may still use a buffer when the next layer (or source) starts with them.
            foreach (var t in reads.Concat(writes)) if (t is not null) await t.ConfigureAwait(false);
        }
        return (LayerResult.Copied, "", digest);

        Task<ReplicaStatus> Read(int index) =>
            source.Channel.ReadLayerAsync(layer.Name, chunks[index].Offset, _buffers[index % slots].AsMemory(0, chunks[index].Length)).AsTask();

        async Task<ReplicaStatus?> FreeAsync(int slot)
        {
            if (writes[slot] is not { } write) return null;
            writes[slot] = null;
            var status = await write.ConfigureAwait(false);
            if (AbandonedMemory.IsHeld(_buffers[slot])) _buffers[slot] = new byte[Chunk]; // a write given up on still reads it
            return status == ReplicaStatus.Ok ? null : status;
        }
    }

    private static List<(long Offset, int Length)> Chunks(List<AllocationExtent> extents)
    {
        var chunks = new List<(long, int)>();
        foreach (var e in extents)
            for (var at = e.Offset; at < e.Offset + e.Length; at += Chunk)
                chunks.Add((at, (int)Math.Min(Chunk, e.Offset + e.Length - at)));
        return chunks;
    }

    private static IEnumerable<LayerInfo> ParentsFirst(List<LayerInfo> layers)
    {
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var left = layers.ToList();
        while (left.Count > 0)
        {
            var ready = left.Where(l => l.Parent is null || placed.Contains(l.Parent) || layers.All(o => o.Name != l.Parent)).ToList();
            foreach (var l in ready)
            {
                placed.Add(l.Name);
                left.Remove(l);
                yield return l;
            }
        }
    }

    private void Report(string source, bool force)
    {
        var now = _clock.Elapsed;
        if (!force && now - _reported < ReportEvery) return;
        _reported = now;
        report(new Progress(source, _done, _total, _copied, now.TotalSeconds > 0 ? _copied / now.TotalSeconds : 0));
    }
}
