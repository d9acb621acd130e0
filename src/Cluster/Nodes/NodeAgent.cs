using ActorStore.Blocks;
using ActorStore.Cluster.Protocol;
using ActorStore.Volume;
using ActorStore.Volume.Protocol;
using ActorStore.Volume.Replicas;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using static ActorStore.Cluster.Nodes.NodeEvents;
using static ActorStore.Cluster.Protocol.NodeProtocol;

namespace ActorStore.Cluster.Nodes;

/// <summary>
/// One per node (DESIGN §2): owns the node's disks (directories; their configuration is event-sourced,
/// seeded from the config file on first start) and reports their capacity and replicas. The replicas
/// themselves live under <see cref="ReplicaHost"/>, which this agent tells the disks: a failure here
/// (a journal outage, a bug) restarts or stops only the agent, never a replica an engine is using.
/// A disk path is checked off the actor's thread before it is recorded (<see cref="DiskPathCheck"/>).
/// </summary>
public sealed class NodeAgent : ReceivePersistentActor
{
    private readonly NodeSettings _node;
    private readonly IActorRef _replicaHost;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, DiskState> _disks = new(StringComparer.Ordinal);
    private IReadOnlyList<ReplicaActor.ReplicaReady> _replicas = [];
    private bool _inventoryKnown; // false until the replica host has said what is open (after every start and restart)
    private bool _schedulable = true;

    private readonly int _snapshotEvery;

    public NodeAgent(NodeSettings node, IActorRef replicaHost, int snapshotEvery)
    {
        _node = node;
        _replicaHost = replicaHost;
        _snapshotEvery = snapshotEvery;
        Recover<SnapshotOffer>(o => Restore((NodeSnapshot)o.Snapshot));
        Recover<IClusterEvent>(Apply);
        Recover<RecoveryCompleted>(_ => Start());
        Command<ReplicaHost.Inventory>(i =>
        {
            _replicas = i.Replicas;
            _inventoryKnown = true;
        });
        Command<GetReport>(_ => Sender.Tell(Report()));
        Command<SaveSnapshotSuccess>(s =>
        {
            if (SnapshotRetention.Older(s.Metadata) is { } older) DeleteSnapshots(older);
        });
        Command<SaveSnapshotFailure>(f => _log.Warning("Node {Node}: snapshot of its configuration not saved ({Error})", _node.NodeId, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
        Command<GetNode>(_ => Sender.Tell(Report()));
        Command<AddDisk>(OnAddDisk);
        Command<DiskChecked>(OnDiskChecked);
        Command<RemoveDisk>(OnRemoveDisk);
        Command<SetNodeSchedulable>(s => Persist(new NodeSchedulingChanged(s.Schedulable), e => { Record(e); Sender.Tell(Report()); }));
        Command<SetDiskSchedulable>(s =>
        {
            if (!_disks.ContainsKey(s.Disk)) { Sender.Tell(UnknownDisk(s.Disk)); return; }
            Persist(new DiskSchedulingChanged(s.Disk, s.Schedulable), e => { Record(e); Sender.Tell(DiskView(_disks[s.Disk])); });
        });
    }

    public override string PersistenceId => "node-" + _node.NodeId;

    public static Props Props(NodeSettings node, IActorRef replicaHost, int snapshotEvery) => Akka.Actor.Props.Create(() => new NodeAgent(node, replicaHost, snapshotEvery));

    /// <summary>
    /// The agent as the node runs it: restarted after an exception (it recovers its state from the journal)
    /// and started again, with a growing pause, when it stopped (a persist that failed stops it). Messages for
    /// /user/node-agent reach the current agent; while it is down they are dead letters and their asks time out.
    /// </summary>
    public static Props Supervised(NodeSettings node, IActorRef replicaHost, int snapshotEvery) => BackoffSupervisor.Props(
        Backoff.OnStop(Props(node, replicaHost, snapshotEvery), "agent", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, maxNrOfRetries: -1)
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Restart)));

    private sealed record DiskState(string Name, string Path, bool Schedulable);

    /// <summary>The outcome of checking an AddDisk's path, off the actor's thread.</summary>
    private sealed record DiskChecked(AddDisk Add, string Path, string? Problem, IActorRef ReplyTo);

    private void Apply(IClusterEvent e)
    {
        switch (e)
        {
            case DiskAdded a: _disks[a.Name] = new DiskState(a.Name, a.Path, a.Schedulable); break;
            case NodeEvents.DiskRemoved r: _disks.Remove(r.Name); break;
            case DiskSchedulingChanged c when _disks.TryGetValue(c.Name, out var d): _disks[c.Name] = d with { Schedulable = c.Schedulable }; break;
            case NodeSchedulingChanged n: _schedulable = n.Schedulable; break;
        }
    }

    private void Restore(NodeSnapshot s)
    {
        _disks.Clear();
        foreach (var d in s.Disks) Apply(d);
        _schedulable = s.Schedulable;
    }

    /// <summary>Applies a just-persisted event; every so many events the whole configuration is saved as a snapshot (DESIGN §6).</summary>
    private void Record(IClusterEvent e)
    {
        Apply(e);
        if (LastSequenceNr % _snapshotEvery == 0)
            SaveSnapshot(new NodeSnapshot(_disks.Values.Select(d => new DiskAdded(d.Name, d.Path, d.Schedulable)).ToArray(), _schedulable));
    }

    /// <summary>Seeds the disks on the very first start, then hands them to the replica host.</summary>
    private void Start()
    {
        if (LastSequenceNr == 0 && _node.Disks.Count > 0)
        {
            var seeds = _node.Disks.Select(d => new DiskAdded(d.Name, d.Path, true)).ToArray();
            foreach (var d in seeds) Directory.CreateDirectory(d.Path);
            PersistAll(seeds, e =>
            {
                Record(e);
                if (_disks.Count == seeds.Length) DisksChanged();
            });
            return;
        }
        DisksChanged();
    }

    private void DisksChanged()
    {
        _replicaHost.Tell(new ReplicaHost.Disks(_disks.Values.ToDictionary(d => d.Name, d => d.Path)));
        _log.Info("Node {Node}: disks {Disks}", _node.NodeId, string.Join(", ", _disks.Values.Select(d => $"{d.Name}={d.Path}")));
    }

    private void OnAddDisk(AddDisk add)
    {
        if (Refusal(add) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }
        var path = Path.GetFullPath(add.Path).TrimEnd('/');
        var others = _disks.Values.Select(d => d.Path).ToArray();
        var replyTo = Sender;
        Task.Run(() => DiskPathCheck.Problem(path, add.Create, others))
            .ContinueWith(t => new DiskChecked(add, path, t.IsCompletedSuccessfully ? t.Result : $"{path} could not be checked: {t.Exception?.GetBaseException().Message}", replyTo),
                TaskScheduler.Default)
            .PipeTo(Self);
    }

    /// <summary>Checked again once the path is, without I/O: another add may have taken the name or a path around it meanwhile.</summary>
    private void OnDiskChecked(DiskChecked c)
    {
        var refusal = c.Problem is not null ? new NodeRefused(_node.NodeId, VolumeError.InvalidArgument, c.Problem)
            : Refusal(c.Add)
            ?? (DiskPathCheck.Nesting(c.Path, _disks.Values.Select(d => d.Path)) is { } nested ? new NodeRefused(_node.NodeId, VolumeError.InvalidArgument, nested) : null);
        if (refusal is not null)
        {
            c.ReplyTo.Tell(refusal);
            return;
        }
        var name = c.Add.Name ?? NextDiskName();
        Persist(new DiskAdded(name, c.Path, c.Add.Schedulable), e =>
        {
            Record(e);
            DisksChanged();
            c.ReplyTo.Tell(DiskView(_disks[name]));
        });
    }

    private NodeRefused? Refusal(AddDisk add)
    {
        if (add.Name is { } name && !Names.IsValid(name)) return new NodeRefused(_node.NodeId, VolumeError.InvalidArgument, $"'{name}' is not a valid disk name");
        if (add.Name is { } taken && _disks.ContainsKey(taken)) return new NodeRefused(_node.NodeId, VolumeError.WrongState, $"node {_node.NodeId} already has a disk '{taken}'");
        if (!Path.IsPathRooted(add.Path)) return new NodeRefused(_node.NodeId, VolumeError.InvalidArgument, $"disk path '{add.Path}' must be absolute");
        var path = Path.GetFullPath(add.Path).TrimEnd('/');
        if (_disks.Values.Any(d => d.Path == path)) return new NodeRefused(_node.NodeId, VolumeError.WrongState, $"{path} is already a disk of node {_node.NodeId}");
        return null;
    }

    private string NextDiskName()
    {
        var n = _disks.Count + 1;
        while (_disks.ContainsKey($"disk-{n}")) n++;
        return $"disk-{n}";
    }

    private void OnRemoveDisk(RemoveDisk remove)
    {
        if (!_disks.ContainsKey(remove.Disk)) { Sender.Tell(UnknownDisk(remove.Disk)); return; }
        if (!_inventoryKnown)
        {
            Sender.Tell(new NodeRefused(_node.NodeId, VolumeError.Unavailable, $"node {_node.NodeId} is still finding its replicas; retry in a moment"));
            return;
        }
        var held = _replicas.Count(r => r.Disk == remove.Disk);
        if (held > 0)
        {
            Sender.Tell(new NodeRefused(_node.NodeId, VolumeError.WrongState, $"disk '{remove.Disk}' holds {held} replica(s); delete or move those volumes first"));
            return;
        }
        Persist(new NodeEvents.DiskRemoved(remove.Disk), e =>
        {
            Record(e);
            DisksChanged();
            Sender.Tell(new NodeProtocol.DiskRemoved(_node.NodeId, remove.Disk));
        });
    }

    private NodeRefused UnknownDisk(string disk) => new(_node.NodeId, VolumeError.NotFound, $"node {_node.NodeId} has no disk '{disk}'; `pbm node show {_node.NodeId}` lists them");

    private NodeView Report() => new(_node.NodeId, _node.RemoteAddress, "up", _schedulable, _node.ApiEndpoint, _node.NbdEndpoint,
        _disks.Values.OrderBy(d => d.Name, StringComparer.Ordinal).Select(DiskView).ToArray());

    private DiskView DiskView(DiskState d)
    {
        long capacity = 0, available = 0;
        try
        {
            var drive = new DriveInfo(d.Path);
            capacity = drive.TotalSize;
            available = drive.AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _log.Warning("Disk {Disk} at {Path} cannot be measured: {Error}", d.Name, d.Path, e.Message);
        }
        var mine = _replicas.Where(r => r.Disk == d.Name).ToArray();
        return new DiskView(d.Name, _node.NodeId, d.Path, d.Schedulable, capacity, available, mine.Sum(r => r.Size), mine.Length);
    }
}
