using System.Buffers;
using System.Runtime.CompilerServices;
using ActorStore.Blocks;
using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;

namespace ActorStore.Volume.Engine;

public sealed partial class VolumeIo
{
    private enum Mutation { Write, Zeroes, ZeroesAllocated, Trim, Flush }

    /// <summary>The largest zeroes or trim one replica request carries: the maximum NBD payload.</summary>
    private const long DiscardPiece = 32L << 20;

    /// <summary>A write, zeroes or trim: ordered per block, fanned out, then flushed everywhere for FUA.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IoStatus> MutateAsync(Mutation mutation, long offset, long length, ReadOnlyMemory<byte> data, bool fua)
    {
        if (length == 0)
            return fua ? await FlushAsync().ConfigureAwait(false)
                : await _gate.EnterAsync().ConfigureAwait(false) ? Exit(IoStatus.Ok) : IoStatus.ShuttingDown;
        if (!await _gate.EnterAsync().ConfigureAwait(false)) return IoStatus.ShuttingDown;
        try
        {
            var entry = await _ordering.EnterAsync(offset, length).ConfigureAwait(false);
            var status = IoStatus.Ok;
            try
            {
                // Zeroes and trims may be any length (a hole nbdcopy copies, a whole-disk discard): each replica
                // gets them a piece at a time, so none holds a request for longer than a write of that size.
                var piece = mutation == Mutation.Write ? length : DiscardPiece;
                for (var done = 0L; done < length && status == IoStatus.Ok; done += piece)
                    status = await FanOutAsync(mutation, offset + done, Math.Min(piece, length - done), data).ConfigureAwait(false);
            }
            finally
            {
                _ordering.Leave(entry);
            }
            if (status == IoStatus.Ok && fua) status = await FanOutAsync(Mutation.Flush, 0, 0, default).ConfigureAwait(false);
            return status;
        }
        finally
        {
            _gate.Exit();
        }
    }

    private IoStatus Exit(IoStatus status)
    {
        _gate.Exit();
        return status;
    }

    /// <summary>
    /// NBD_CMD_FLAG_FAST_ZERO: cheap only where the range already reads as zeros without a lower layer
    /// showing through, i.e. it is all holes in the merged view; anything else would write.
    /// </summary>
    private async ValueTask<IoStatus> FastZeroAsync(long offset, long length, bool noHole, bool fua)
    {
        if (noHole || length == 0) return length == 0 ? IoStatus.Ok : IoStatus.NotSupported;
        var extents = new List<AllocationExtent>();
        var status = await GetAllocationAsync(offset, length, extents).ConfigureAwait(false);
        if (status != IoStatus.Ok) return status;
        long covered = 0;
        foreach (var e in extents)
        {
            if (!e.IsHole) return IoStatus.NotSupported;
            covered += e.Length;
        }
        if (covered < length) return IoStatus.NotSupported;
        return fua ? await FlushAsync().ConfigureAwait(false) : IoStatus.Ok;
    }

    /// <summary>
    /// Sends one mutation to every writable replica and applies DESIGN §3's rules to the answers:
    /// success when at least one RW replica has it; ENOSPC (failing nobody) when no RW replica had room;
    /// every other failed replica is failed and persisted ERR before the answer.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IoStatus> FanOutAsync(Mutation mutation, long offset, long length, ReadOnlyMemory<byte> data)
    {
        var view = View;
        var members = view.Writable;
        // A write only write-only replicas would take is not acknowledged: none of them is whole (DESIGN §3).
        if (members.Length == 0 || (mutation != Mutation.Flush && view.Readable.Length == 0)) return IoStatus.IoError;
        if (mutation == Mutation.Trim && view.AnyWriteOnly) return IoStatus.Ok;
        var pending = ArrayPool<ValueTask<ReplicaStatus>>.Shared.Rent(members.Length);
        var answers = ArrayPool<ReplicaStatus>.Shared.Rent(members.Length);
        try
        {
            var widen = view.AnyWriteOnly && NeedsWidening(mutation, offset, length);
            for (var i = 0; i < members.Length; i++)
                pending[i] = widen && members[i].Mode == ReplicaMode.WriteOnly
                    ? WidenedAsync(view, members[i].Channel, mutation, offset, length, data)
                    : Start(members[i].Channel, mutation, offset, length, data, view.Track);
            for (var i = 0; i < members.Length; i++) answers[i] = await pending[i].ConfigureAwait(false);
            var judged = Judge(members, answers, mutation, out var failures);
            return failures is null ? judged : await FailThenAnswerAsync(failures, judged, members, answers, mutation, offset, length, data).ConfigureAwait(false);
        }
        finally
        {
            Array.Clear(pending, 0, members.Length);
            ArrayPool<ValueTask<ReplicaStatus>>.Shared.Return(pending);
            ArrayPool<ReplicaStatus>.Shared.Return(answers);
        }
    }

    private static ValueTask<ReplicaStatus> Start(IReplicaChannel channel, Mutation mutation, long offset, long length, ReadOnlyMemory<byte> data, bool track = false) =>
        mutation switch
        {
            Mutation.Write => channel.WriteAsync(offset, data, track),
            Mutation.Zeroes => channel.WriteZeroesAsync(offset, length, allocate: false, track),
            Mutation.ZeroesAllocated => channel.WriteZeroesAsync(offset, length, allocate: true, track),
            Mutation.Trim => channel.TrimAsync(offset, length, track),
            _ => channel.FlushAsync(),
        };

    /// <summary>The answer by DESIGN §3's rules, and the replicas to fail first (null: none).</summary>
    private IoStatus Judge(ReplicaSetView.Member[] members, ReplicaStatus[] answers, Mutation mutation, out List<ReplicaFailure>? failures)
    {
        failures = null;
        int okReadWrite = 0, noSpace = 0, failed = 0;
        for (var i = 0; i < members.Length; i++)
        {
            switch (answers[i])
            {
                case ReplicaStatus.Ok:
                    if (members[i].Mode == ReplicaMode.ReadWrite) okReadWrite++;
                    break;
                case ReplicaStatus.NoSpace:
                    noSpace++;
                    break;
                case ReplicaStatus.OutOfRange or ReplicaStatus.InvalidArgument:
                    // The range was checked against the volume size: a replica that disagrees is broken.
                    failed++;
                    break;
                case ReplicaStatus.StaleEpoch:
                    _sink.Fenced(members[i].ReplicaId, members[i].Channel.Epoch);
                    return IoStatus.IoError;
                default:
                    failed++;
                    break;
            }
        }
        if (noSpace == 0 && failed == 0) return okReadWrite > 0 || mutation == Mutation.Flush ? IoStatus.Ok : IoStatus.IoError;
        // No RW replica had room: the client gets ENOSPC and the full replicas stay (nothing is lost by them).
        var failFull = noSpace > 0 && okReadWrite > 0;
        failures = new List<ReplicaFailure>(failed + noSpace);
        for (var i = 0; i < members.Length; i++)
        {
            var answer = answers[i];
            if (answer == ReplicaStatus.Ok || (answer == ReplicaStatus.NoSpace && !failFull)) continue;
            failures.Add(new ReplicaFailure(members[i].ReplicaId, answer, mutation.ToString().ToLowerInvariant(), members[i].Channel.Epoch));
        }
        if (failures.Count == 0) failures = null;
        return okReadWrite > 0 ? IoStatus.Ok : noSpace > 0 ? IoStatus.NoSpace : IoStatus.IoError;
    }

    /// <summary>
    /// Fails the replicas (persisted before the answer), then, for a mutation that succeeded, sends it again tracked to
    /// the RW replicas that took it: the failed ones may have missed it, and from now on the engine tracks for their
    /// catch-up, but this mutation was sent before (DESIGN §3). Sending it again is harmless: the caller still holds
    /// its blocks' ordering entry, so the same bytes land in the same place.
    /// </summary>
    private async ValueTask<IoStatus> FailThenAnswerAsync(List<ReplicaFailure> failures, IoStatus answer, ReplicaSetView.Member[] members,
        ReplicaStatus[] answers, Mutation mutation, long offset, long length, ReadOnlyMemory<byte> data)
    {
        if (!await _sink.FailAsync(failures).ConfigureAwait(false)) return IoStatus.IoError;
        if (mutation == Mutation.Flush || answer != IoStatus.Ok) return answer;
        List<ReplicaFailure>? again = null;
        var tracked = 0;
        for (var i = 0; i < members.Length; i++)
        {
            if (answers[i] != ReplicaStatus.Ok || members[i].Mode != ReplicaMode.ReadWrite) continue;
            var status = await Start(members[i].Channel, mutation, offset, length, data, track: true).ConfigureAwait(false);
            if (status == ReplicaStatus.Ok) tracked++;
            else (again ??= []).Add(new ReplicaFailure(members[i].ReplicaId, status, mutation.ToString().ToLowerInvariant(), members[i].Channel.Epoch));
        }
        if (again is null) return answer;
        return await _sink.FailAsync(again).ConfigureAwait(false) && tracked > 0 ? answer : IoStatus.IoError;
    }
}
