using System.Net;
using ActorStore.Blocks;
using ActorStore.Blocks.Devices;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Volume.Protocol.ReplicaProtocol;
using BlockReplica = ActorStore.Blocks.Replica;

namespace ActorStore.Volume.Replicas;

/// <summary>
/// The only owner of one replica directory (DESIGN §2): opens (or creates) the replica, offers it on the
/// node's data port, and carries out the engine's control commands one at a time. Disk work runs on the
/// thread pool and comes back as a message, so a slow disk never blocks this actor's dispatcher thread, and
/// the actor's state changes only on its own thread.
/// </summary>
public sealed partial class ReplicaActor : ReceiveActor, IWithStash, IWithTimers
{
    private static readonly TimeSpan CheckFilesEvery = TimeSpan.FromSeconds(2);

    private readonly ReplicaActorSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private BlockReplica? _replica;
    private IActorRef? _creator;

    /// <param name="creator">Who asked for the replica to be created; answered once it is (or cannot be).</param>
    public ReplicaActor(ReplicaActorSettings settings, IActorRef? creator)
    {
        _settings = settings;
        _creator = creator;
        Opening();
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    private sealed class CheckFiles
    {
        public static readonly CheckFiles Instance = new();
    }

    public static Props Props(ReplicaActorSettings settings, IActorRef? creator = null) => Akka.Actor.Props.Create(() => new ReplicaActor(settings, creator));

    /// <summary>Tells the parent (the NodeAgent) that the replica is open, so it can count it on its disk.</summary>
    public sealed record ReplicaReady(string ReplicaId, string Disk, long Size, Guid VolumeId = default);

    /// <summary>Tells the parent the replica could not open (corrupt, unreadable: <paramref name="Reason"/>) or was <paramref name="Removed"/>.</summary>
    public sealed record ReplicaGone(string ReplicaId, string Disk, string Reason, bool Removed = false);

    private sealed record OpenResult(ReplicaStatus Status, BlockReplica? Replica, string? Detail);

    /// <summary><paramref name="Removed"/>: the work closed the replica (a removal, done or not), so the actor stops.</summary>
    private sealed record WorkDone(object Reply, IActorRef ReplyTo, bool Removed);

    protected override void PreStart()
    {
        var settings = _settings;
        Task.Run(() => OpenAsync(settings)).PipeTo(Self);
    }

    protected override void PostStop()
    {
        if (_replica is not { } replica) return;
        _replica = null;
        // Off this thread: end the data connections first so no engine writes while the replica records its
        // clean stop; a new actor for the same replica waits for this before it opens the directory.
        _settings.Locals.Closing(_settings.ReplicaId, CloseAsync(_settings, replica));
    }

    private static async Task CloseAsync(ReplicaActorSettings s, BlockReplica replica)
    {
        s.Locals.Remove(s.ReplicaId);
        await s.DataServer.CloseReplicaAsync(s.ReplicaId).ConfigureAwait(false);
        replica.Dispose();
    }

    private void Opening()
    {
        Receive<OpenResult>(r =>
        {
            if (r.Status != ReplicaStatus.Ok || r.Replica is null)
            {
                _log.Error("Replica {Replica} in {Directory} cannot open: {Status} {Detail}", _settings.ReplicaId, _settings.Directory, r.Status, r.Detail);
                _creator?.Tell(new Done(_settings.ReplicaId, _settings.Create!.RequestId, r.Status.ToOutcome(), r.Detail));
                Context.Parent.Tell(new ReplicaGone(_settings.ReplicaId, _settings.Disk, $"{r.Status}: {r.Detail}"));
                Become(() => Broken($"{r.Status}: {r.Detail}"));
            }
            else
            {
                _replica = r.Replica;
                _settings.Locals.Add(_settings.ReplicaId, r.Replica);
                _creator?.Tell(new Done(_settings.ReplicaId, _settings.Create!.RequestId, ReplicaOutcome.Ok, null));
                Context.Parent.Tell(new ReplicaReady(_settings.ReplicaId, _settings.Disk, r.Replica.Size, r.Replica.Identity.VolumeId));
                _log.Info("Replica {Replica} open in {Directory}: {Size} bytes, revision {Revision}{Unclean}", _settings.ReplicaId, _settings.Directory,
                    r.Replica.Size, r.Replica.Revision, r.Replica.OpenedAfterUncleanStop ? ", after an unclean stop" : "");
                Become(Ready);
                Timers.StartPeriodicTimer("check-files", CheckFiles.Instance, CheckFilesEvery);
            }
            _creator = null;
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    /// <summary>The replica could not open: every command gets the reason; only removal works.</summary>
    private void Broken(string reason)
    {
        Receive<RemoveReplica>(c => RunThenReply(Sender, () => Remove(null, c), removes: true));
        Receive<IReplicaCommand>(c => Sender.Tell(new Done(_settings.ReplicaId, c.RequestId, ReplicaOutcome.Failed, reason)));
    }

    private void Ready()
    {
        Receive<CheckFiles>(_ => CheckFilesNow());
        Receive<IReplicaCommand>(c =>
        {
            var replica = _replica!;
            if (c is DigestLayer or CheckStagedLayer)
            {
                // Reads of a whole layer (seconds to minutes) that change nothing: beside the other commands, so a
                // snapshot never waits behind a rebuild's check (the store reads them safely outside its lock).
                Task.Run(() => Execute(replica, c)).PipeTo(Sender);
                return;
            }
            RunThenReply(Sender, () => Execute(replica, c), removes: c is RemoveReplica);
        });
    }

    /// <summary>Off this thread (a stat each): a replica whose directory was deleted under it fails, and says so once.</summary>
    private void CheckFilesNow()
    {
        if (_replica is not { IsFailed: false } replica || _checkingFiles is { IsCompleted: false }) return; // one at a time: a stat may hang on a hung disk
        var (log, id, dir) = (_log, _settings.ReplicaId, _settings.Directory);
        _checkingFiles = Task.Run(() =>
        {
            if (!replica.CheckFiles()) log.Error("Replica {0}: its files in {1} are gone (the directory was deleted or moved); it is failed and will be rebuilt elsewhere", id, dir);
        });
    }

    private Task? _checkingFiles;

    private void Busy()
    {
        Receive<CheckFiles>(_ => CheckFilesNow());
        Receive<WorkDone>(done =>
        {
            done.ReplyTo.Tell(done.Reply);
            if (done.Removed)
            {
                _replica = null; // closed by the removal
                Context.Parent.Tell(new ReplicaGone(_settings.ReplicaId, _settings.Disk, "removed", Removed: true));
                Context.Stop(Self);
                return;
            }
            Become(Ready);
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void RunThenReply(IActorRef replyTo, Func<Task<object>> work, bool removes)
    {
        Become(Busy);
        var id = _settings.ReplicaId;
        Task.Run(work).ContinueWith(t => t.IsCompletedSuccessfully
                ? new WorkDone(t.Result, replyTo, removes)
                : new WorkDone(new Done(id, Guid.Empty, ReplicaOutcome.IoError, t.Exception?.GetBaseException().Message), replyTo, removes),
            TaskScheduler.Default).PipeTo(Self);
    }

    private static async Task<OpenResult> OpenAsync(ReplicaActorSettings s)
    {
        await s.Locals.WhenClosedAsync(s.ReplicaId).ConfigureAwait(false); // an earlier actor of this replica still closing it
        var fs = LinuxFileSystem.Instance;
        BlockReplica? replica;
        ReplicaStatus status;
        try
        {
            if (s.Create is { } c)
            {
                status = BlockReplica.Open(fs, s.Directory, out replica, s.Options);
                if (status == ReplicaStatus.NotFound)
                    status = BlockReplica.Create(fs, s.Directory, new ReplicaIdentity(c.VolumeId, c.ReplicaId, c.Epoch), c.Size, out replica, s.Options, c.Rebuilding);
                else if (status == ReplicaStatus.Ok && replica!.Identity.VolumeId != c.VolumeId)
                {
                    // A directory of another volume under this id: never pick it up (DESIGN §2, orphans).
                    replica.Dispose();
                    return new OpenResult(ReplicaStatus.AlreadyExists, null, $"{s.Directory} holds a replica of another volume");
                }
            }
            else
                status = BlockReplica.Open(fs, s.Directory, out replica, s.Options);
        }
        catch (ReplicaCorruptException e)
        {
            return new OpenResult(ReplicaStatus.Failed, null, e.Message);
        }
        return status != ReplicaStatus.Ok || replica is null ? new OpenResult(status, null, status.ToString()) : new OpenResult(ReplicaStatus.Ok, replica, null);
    }
}
