using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Event;
using static ActorStore.Volume.Protocol.VolumeEvents;

namespace ActorStore.Volume.Engine;

// Offline rebuild (DESIGN §5; Longhorn's offline rebuilding). A detached volume heals too: when it needs an engine to
// (a replica due to be replaced, an evicted one to move, one back to catch up), the controller attaches it for
// maintenance on a node holding one of its healthy replicas. That engine exports nothing; the heal check drives the
// rebuild exactly as for an attached volume, and once nothing is left to do now the volume is detached again. Users see
// it detached all along. An attach, delete, revert, expand or salvage meanwhile ends the maintenance first (a copy in
// progress is abandoned and starts over later, online or offline), then goes ahead as asked.
public sealed partial class VolumeActor
{
    /// <summary>The activity while an offline rebuild's engine starts; an attach meanwhile waits for it rather than be refused.</summary>
    private const string StartingMaintenance = "starting an offline rebuild";

    private readonly List<(object Message, IActorRef Sender)> _afterMaintenance = [];
    private DateTimeOffset _nextMaintenanceAt;

    private bool InMaintenance => _record.Maintenance && _record.AttachedTo is not null;

    /// <summary>True when <paramref name="message"/> must wait for the maintenance to end; it is handled again then.</summary>
    private bool AfterMaintenance(object message)
    {
        if (!InMaintenance) return false;
        _afterMaintenance.Add((message, Sender));
        EndMaintenance($"{message.GetType().Name.ToLowerInvariant()} asked");
        return true;
    }

    /// <summary>Attaches the detached volume, without a frontend, on the node of a healthy replica.</summary>
    private void StartMaintenance(string why)
    {
        _nextMaintenanceAt = DateTimeOffset.UtcNow + RetryRebuildAfter;
        var healthy = _record.Replicas.Where(r => r.Mode == ReplicaMode.ReadWrite).ToArray();
        var node = (healthy.FirstOrDefault(r => !r.Evicting) ?? healthy[0]).Node;
        Persist(new Attached(node, _record.Epoch + 1, Maintenance: true), e =>
        {
            Record(e);
            _log.Info("Volume {Volume} is detached and {Why}: healing it offline, its engine on node {Node} with no frontend", _record.Name, why, node);
            StartEngine(ActorRefs.Nobody);
        });
    }

    private void EndMaintenance(string why)
    {
        if (!InMaintenance || _detaching is not null) return;
        _log.Info("Volume {Volume}: offline healing ends ({Why}); detaching its engine on node {Node}", _record.Name, why, _record.AttachedTo);
        StopAndDetach(ActorRefs.Nobody);
    }

    /// <summary>Once detached: what waited for the maintenance to end is handled now, as sent.</summary>
    private void ResumeAfterMaintenance()
    {
        foreach (var (message, sender) in _afterMaintenance) Self.Tell(message, sender);
        _afterMaintenance.Clear();
    }
}
