using ActorStore.Backup;
using ActorStore.Backup.Targets;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Cluster.Backups.BackupEvents;
using static ActorStore.Cluster.Backups.BackupProtocol;

namespace ActorStore.Cluster.Backups;

// Standby (disaster-recovery) volumes: each idle one polls the target for a newer backup of its source and takes it
// incrementally, until it is activated at the last backup.
public sealed partial class BackupCoordinator
{
    private sealed record PollStandbys
    {
        public static readonly PollStandbys Instance = new();
    }

    /// <summary>A standby's source has <paramref name="Last"/> as its newest backup; <paramref name="Replicas"/>: the standby's, to write it into.</summary>
    private sealed record StandbyPolled(string Volume, string? Last, IReadOnlyList<VolumeProtocol.ReplicaView> Replicas, string? State = null);

    /// <summary>Asks the target for each idle standby's newest source backup (off the actor's thread).</summary>
    private void Poll()
    {
        if (_target.Address is null || !TargetAddress.TryParse(_target.Address, out var address, out _)) return;
        foreach (var (volume, (source, applied)) in _standbys)
        {
            if (applied is null || _runs.RunningOf(volume) is not null || !_preparing.Add(volume)) continue;
            var target = _target;
            PollAsync(address!, target, volume, source).PipeTo(Self, failure: e =>
            {
                _log.Warning("Standby {0}: polling the backup target failed: {1}", volume, e.Message);
                return new StandbyPolled(volume, null, []);
            });
        }
    }

    private async Task<StandbyPolled> PollAsync(TargetAddress address, TargetView target, string volume, string source)
    {
        using var opened = address.Open(target.AccessKey, target.SecretKey);
        var last = await new BackupStore(opened).LastBackupAsync(source).ConfigureAwait(false);
        return await AskVolume(new VolumeProtocol.Get(volume)).ConfigureAwait(false) switch
        {
            VolumeProtocol.VolumeView view => new StandbyPolled(volume, last, view.Replicas, view.State),
            VolumeProtocol.Refused { Error: VolumeError.NotFound } => new StandbyPolled(volume, null, [], "deleted"),
            _ => new StandbyPolled(volume, null, []),
        };
    }

    /// <summary>A newer backup of a standby's source: written into every replica, only the blocks that differ from the one it holds.</summary>
    private void OnStandbyPolled(StandbyPolled p)
    {
        _preparing.Remove(p.Volume);
        if (!_standbys.TryGetValue(p.Volume, out var standby)) return;
        // Activated (the note lost) or deleted: it follows nothing any more, and no backup is ever written into it again.
        if (p.State is { } state && state != "standby")
        {
            Persisted(new StandbyRemoved(p.Volume), e => _standbys.Remove(e.Volume));
            return;
        }
        if (p.Last is null || p.Last == standby.Applied || p.Replicas.Count == 0 || _runs.RunningOf(p.Volume) is not null) return;
        var id = NewRestoreId();
        var now = DateTimeOffset.UtcNow;
        var parts = p.Replicas.Select(r => r.Id).ToArray();
        Persisted(new RunStarted(id, p.Volume, p.Last, "", now, RunTable.Restore, parts), e =>
        {
            _runs.Start(e.Id, RunTable.Restore, e.Volume, e.Snapshot, "", e.At, now, parts);
            foreach (var r in p.Replicas) _nodes.Tell(new RestoreReplica(r.Node, id, r.Id, standby.Source, p.Last, _target, standby.Applied));
            _log.Info("Standby {Volume}: taking backup {Backup} of {Source} (it holds {Applied})", p.Volume, p.Last, standby.Source, standby.Applied);
        });
    }

    private void OnActivate(ActivateStandby a)
    {
        var replyTo = Sender;
        if (_runs.RunningOf(a.Volume) is { } running)
        {
            replyTo.Tell(Refuse(a.Volume, VolumeError.WrongState, $"standby '{a.Volume}' is taking a backup ({running}); activate it once that is done"));
            return;
        }
        var standby = _standbys.GetValueOrDefault(a.Volume);
        var address = _target.Address is { } text && TargetAddress.TryParse(text, out var parsed, out _) ? parsed : null;
        var target = _target;
        ActivateAsync(a.Volume, standby.Source, standby.Applied, address, target, Self).PipeTo(replyTo,
            failure: e => Refuse(a.Volume, VolumeError.Unavailable, $"the backup target could not be checked for a newer backup ({e.Message}); retry"));
    }

    /// <summary>Activates at the last backup: refused while the target holds a newer one than the standby took (the next poll takes it).</summary>
    private async Task<object> ActivateAsync(string volume, string? source, string? applied, TargetAddress? address, TargetView target, IActorRef self)
    {
        if (source is not null && address is not null)
        {
            using var opened = address.Open(target.AccessKey, target.SecretKey);
            var last = await new BackupStore(opened).LastBackupAsync(source).ConfigureAwait(false);
            if (last is not null && last != applied)
                return Refuse(volume, VolumeError.WrongState, $"the target holds backup {last} of '{source}', newer than the {applied ?? "none"} standby '{volume}' holds; "
                    + "it is taken within a poll: retry in a moment");
        }
        var answer = await AskVolume(new VolumeProtocol.Activate(volume)).ConfigureAwait(false);
        if (answer is VolumeProtocol.VolumeView { State: not "standby" and not "restoring" } && source is not null) self.Tell(new StandbyActivatedNote(volume));
        return answer;
    }

    private sealed record StandbyActivatedNote(string Volume);

    /// <summary>What a standby holds after an apply that failed midway: parts of two backups. The next apply writes every block.</summary>
    public const string MixedContent = "*";
}
