using System.Net;
using ActorStore.Blocks;
using ActorStore.Blocks.Devices;
using ActorStore.Cluster.Protocol;
using ActorStore.Volume;
using ActorStore.Volume.Protocol;
using ActorStore.Volume.Replicas;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using static ActorStore.Cluster.Nodes.NodeEvents;
using static ActorStore.Cluster.Protocol.NodeProtocol;

namespace ActorStore.Cluster.Nodes;

/// <summary>
/// One per node (DESIGN §2): owns the node's disks (directories; their configuration is event-sourced,
/// seeded from the config file on first start) and a ReplicaActor per replica directory on them.
/// Replica commands from engines are forwarded to the replica's actor; a create spawns it.
/// </summary>
public sealed class NodeAgent : ReceivePersistentActor
{
    private readonly NodeSettings _node;
    private readonly VolumeSettings _volume;
    private readonly LocalReplicas _locals;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, DiskState> _disks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Disk, long Size)> _replicas = new(StringComparer.Ordinal);
    private bool _schedulable = true;

    public NodeAgent(NodeSettings node, VolumeSettings volume, LocalReplicas locals)
    {
        _node = node;
        _volume = volume;
        _locals = locals;
        Recover<IClusterMessage>(Apply);
        Recover<RecoveryCompleted>(_ => Start());
        Command<IReplicaCommand>(OnReplicaCommand);
        Command<ReplicaActor.ReplicaReady>(r => _replicas[r.ReplicaId] = (r.Disk, r.Size));
        Command<ReplicaActor.ReplicaGone>(g =>
        {
            if (g.Reason != "removed") _log.Error("Replica {Replica} on disk {Disk} is unusable: {Reason}", g.ReplicaId, g.Disk, g.Reason);
            _replicas.Remove(g.ReplicaId);
        });
        Command<GetReport>(_ => Sender.Tell(Report()));
        Command<GetNode>(_ => Sender.Tell(Report()));
        Command<AddDisk>(OnAddDisk);
        Command<RemoveDisk>(OnRemoveDisk);
        Command<SetNodeSchedulable>(s => Persist(new NodeSchedulingChanged(s.Schedulable), e => { Apply(e); Sender.Tell(Report()); }));
        Command<SetDiskSchedulable>(s =>
        {
            if (!_disks.ContainsKey(s.Disk)) { Sender.Tell(UnknownDisk(s.Disk)); return; }
            Persist(new DiskSchedulingChanged(s.Disk, s.Schedulable), e => { Apply(e); Sender.Tell(DiskView(_disks[s.Disk])); });
        });
    }

    public override string PersistenceId => "node-" + _node.NodeId;

    public static Props Props(NodeSettings node, VolumeSettings volume, LocalReplicas locals) =>
        Akka.Actor.Props.Create(() => new NodeAgent(node, volume, locals));

    private sealed record DiskState(string Name, string Path, bool Schedulable);

    private void Apply(IClusterMessage e)
    {
        switch (e)
        {
            case DiskAdded a: _disks[a.Name] = new DiskState(a.Name, a.Path, a.Schedulable); break;
            case NodeEvents.DiskRemoved r: _disks.Remove(r.Name); break;
            case DiskSchedulingChanged c when _disks.TryGetValue(c.Name, out var d): _disks[c.Name] = d with { Schedulable = c.Schedulable }; break;
            case NodeSchedulingChanged n: _schedulable = n.Schedulable; break;
        }
    }

    /// <summary>Seeds the disks on the very first start, then opens every replica found on them.</summary>
    private void Start()
    {
        if (LastSequenceNr == 0 && _node.Disks.Count > 0)
        {
            var seeds = _node.Disks.Select(d => new DiskAdded(d.Name, d.Path, true)).ToArray();
            foreach (var d in seeds) Directory.CreateDirectory(d.Path);
            PersistAll(seeds, e =>
            {
                Apply(e);
                if (_disks.Count == seeds.Length) OpenReplicas();
            });
            return;
        }
        OpenReplicas();
    }

    private void OpenReplicas()
    {
        foreach (var disk in _disks.Values)
        {
            var root = Path.Combine(disk.Path, "replicas");
            if (!Directory.Exists(root)) continue;
            foreach (var dir in Directory.EnumerateDirectories(root))
            {
                var id = Path.GetFileName(dir);
                if (Names.IsValid(id) && Context.Child(id).IsNobody()) Context.ActorOf(ReplicaActor.Props(Settings(id, disk, null)), id);
            }
        }
        _log.Info("Node {Node}: disks {Disks}", _node.NodeId, string.Join(", ", _disks.Values.Select(d => $"{d.Name}={d.Path}")));
    }

    private ReplicaActorSettings Settings(string replicaId, DiskState disk, ReplicaProtocol.CreateReplica? create) => new(
        replicaId, _node.NodeId, disk.Name, Path.Combine(disk.Path, "replicas", replicaId), IPAddress.Parse(_node.DataHost), _node.RemoteAddress,
        _locals, _volume.Replica, new ReplicaDataServerOptions(), create);

    private void OnReplicaCommand(IReplicaCommand command)
    {
        var child = Context.Child(command.ReplicaId);
        if (!child.IsNobody())
        {
            child.Forward(command);
            return;
        }
        if (command is not ReplicaProtocol.CreateReplica create)
        {
            // Removing what is not here is already done; anything else is a replica this node does not hold.
            var status = command is ReplicaProtocol.RemoveReplica ? ReplicaStatus.Ok : ReplicaStatus.NotFound;
            Sender.Tell(new ReplicaProtocol.Done(command.ReplicaId, command.RequestId, status, $"replica {command.ReplicaId} is not on node {_node.NodeId}"));
            return;
        }
        if (!Names.IsValid(create.ReplicaId) || !_disks.TryGetValue(create.Disk, out var disk))
        {
            Sender.Tell(new ReplicaProtocol.Done(create.ReplicaId, create.RequestId, ReplicaStatus.InvalidArgument, $"node {_node.NodeId} has no disk '{create.Disk}'"));
            return;
        }
        Directory.CreateDirectory(Path.Combine(disk.Path, "replicas"));
        Context.ActorOf(ReplicaActor.Props(Settings(create.ReplicaId, disk, create), Sender), create.ReplicaId);
    }

    private void OnAddDisk(AddDisk add)
    {
        var name = add.Name ?? $"disk-{_disks.Count + 1}";
        if (!Names.IsValid(name)) { Sender.Tell(new NodeRefused(_node.NodeId, VolumeError.InvalidArgument, $"'{name}' is not a valid disk name")); return; }
        if (_disks.ContainsKey(name)) { Sender.Tell(new NodeRefused(_node.NodeId, VolumeError.WrongState, $"node {_node.NodeId} already has a disk '{name}'")); return; }
        if (!Path.IsPathRooted(add.Path)) { Sender.Tell(new NodeRefused(_node.NodeId, VolumeError.InvalidArgument, $"disk path '{add.Path}' must be absolute")); return; }
        var path = Path.GetFullPath(add.Path);
        if (_disks.Values.Any(d => d.Path == path)) { Sender.Tell(new NodeRefused(_node.NodeId, VolumeError.WrongState, $"{path} is already a disk of node {_node.NodeId}")); return; }
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Sender.Tell(new NodeRefused(_node.NodeId, VolumeError.InvalidArgument, $"cannot use {path}: {e.Message}"));
            return;
        }
        if (FileSystemProbe.Problem(LinuxFileSystem.Instance, path) is { } problem)
        {
            Sender.Tell(new NodeRefused(_node.NodeId, VolumeError.InvalidArgument, $"{path} cannot hold replicas: {problem}"));
            return;
        }
        Persist(new DiskAdded(name, path, add.Schedulable), e => { Apply(e); Sender.Tell(DiskView(_disks[name])); });
    }

    private void OnRemoveDisk(RemoveDisk remove)
    {
        if (!_disks.ContainsKey(remove.Disk)) { Sender.Tell(UnknownDisk(remove.Disk)); return; }
        var held = _replicas.Count(r => r.Value.Disk == remove.Disk);
        if (held > 0)
        {
            Sender.Tell(new NodeRefused(_node.NodeId, VolumeError.WrongState, $"disk '{remove.Disk}' holds {held} replica(s); delete or move those volumes first"));
            return;
        }
        Persist(new NodeEvents.DiskRemoved(remove.Disk), e => { Apply(e); Sender.Tell(new NodeProtocol.DiskRemoved(_node.NodeId, remove.Disk)); });
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
        var mine = _replicas.Values.Where(r => r.Disk == d.Name).ToArray();
        return new DiskView(d.Name, _node.NodeId, d.Path, d.Schedulable, capacity, available, mine.Sum(r => r.Size), mine.Length);
    }
}
