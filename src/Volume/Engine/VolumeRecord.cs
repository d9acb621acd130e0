using ActorStore.Volume.Protocol;
using static ActorStore.Volume.Protocol.VolumeEvents;

namespace ActorStore.Volume.Engine;

/// <summary>
/// A volume's durable state, rebuilt from its events: what was created, where it is attached, its
/// replicas and their modes, the engine epoch, and the replica-changing command still in progress.
/// Plain and deterministic, so it is tested without an actor.
/// </summary>
public sealed class VolumeRecord
{
    private readonly List<ReplicaRecord> _replicas = [];

    public string Name { get; }
    public Guid Id { get; private set; }
    public long Size { get; private set; }
    public int ReplicaCount { get; private set; }

    /// <summary>The volume's own replica-soft-anti-affinity, or null for the cluster's setting.</summary>
    public bool? SoftAntiAffinity { get; private set; }
    public DateTimeOffset Created { get; private set; }
    public bool Exists { get; private set; }
    public bool CreateDone { get; private set; }
    public string? AttachedTo { get; private set; }

    /// <summary>The backup being restored into the volume: until it is done the volume is neither attached nor changed.</summary>
    public string? RestoringFrom { get; private set; }

    /// <summary>A disaster-recovery volume: it takes each newer backup and is neither attached nor changed until activated.</summary>
    public bool Standby { get; private set; }

    /// <summary>The backup a restored or standby volume holds (the last one it took).</summary>
    public string? AppliedBackup { get; private set; }

    /// <summary>Attached only to heal while detached (an offline rebuild, DESIGN §5): users see it detached.</summary>
    public bool Maintenance { get; private set; }

    /// <summary>Why the volume was last detached when nobody asked (node-lost …); cleared by the next attach.</summary>
    public string? DetachReason { get; private set; }
    public long Epoch { get; private set; }
    public OperationRequested? Pending { get; private set; }

    /// <summary>The snapshot the last rebuild or catch-up took (a controller that recovered mid-rebuild retires it once it ends).</summary>
    public string? RebuildSnapshot { get; private set; }
    public ReplicasSalvaged? LastSalvage { get; private set; }
    public IReadOnlyList<ReplicaRecord> Replicas => _replicas;

    /// <summary>What happened to the replicas, oldest first; the last <see cref="HistoryKept"/> are kept.</summary>
    public IReadOnlyList<HistoryEntry> History => _history;

    public const int HistoryKept = 200;
    private readonly List<HistoryEntry> _history = [];

    private void Note(DateTimeOffset at, string kind, string? replica, string detail, string? node = null)
    {
        _history.Add(new HistoryEntry(at, kind, replica, node ?? _replicas.FirstOrDefault(r => r.Id == replica)?.Node, detail));
        if (_history.Count > HistoryKept) _history.RemoveRange(0, _history.Count - HistoryKept);
    }

    public VolumeRecord(string name) => Name = name;

    public IEnumerable<ReplicaRecord> Healthy => _replicas.Where(r => r.Mode != ReplicaMode.Error);

    public string Robustness =>
        !Exists ? "unknown"
        : Healthy.All(r => r.Mode != ReplicaMode.ReadWrite) ? "faulted"
        : _replicas.Count(r => r.Mode == ReplicaMode.ReadWrite) < ReplicaCount ? "degraded"
        : "healthy";

    public void Apply(IVolumeEvent e)
    {
        switch (e)
        {
            case CreateRequested c:
                _replicas.Clear();
                Id = c.VolumeId;
                Size = c.Size;
                ReplicaCount = c.ReplicaCount;
                SoftAntiAffinity = c.SoftAntiAffinity;
                Created = c.Created;
                Exists = true;
                CreateDone = false;
                AttachedTo = null;
                Maintenance = false;
                Pending = null;
                RestoringFrom = c.RestoringFrom;
                Standby = c.Standby;
                AppliedBackup = null;
                // Epochs only grow, across a delete and re-create of the same name too.
                _replicas.AddRange(c.Replicas.Select(r => new ReplicaRecord(r.Id, r.Node, r.Disk, ReplicaMode.ReadWrite, null, null)));
                break;
            case CreateCompleted:
                CreateDone = true;
                break;
            case RestoreFinished r:
                RestoringFrom = null;
                AppliedBackup = r.Backup;
                Note(r.At, "restored", null, Standby ? $"standby: took backup {r.Backup}" : $"restored from backup {r.Backup}");
                break;
            case StandbyActivated a:
                Standby = false;
                Note(a.At, "activated", null, $"activated at backup {AppliedBackup}");
                break;
            case Attached a:
                AttachedTo = a.Node;
                Maintenance = a.Maintenance;
                DetachReason = null;
                Epoch = a.Epoch;
                break;
            case EpochRaised r:
                Epoch = r.Epoch;
                break;
            case Detached d:
                AttachedTo = null;
                Maintenance = false;
                DetachReason = d.Reason;
                break;
            case ReplicaFailed f:
                var i = _replicas.FindIndex(r => r.Id == f.ReplicaId);
                if (i >= 0 && _replicas[i].Mode != ReplicaMode.Error) Note(f.At, "replica-failed", f.ReplicaId, f.Reason);
                if (i >= 0 && _replicas[i].Mode != ReplicaMode.Error)
                    // A replica that failed while being rebuilt holds part of the data: never one to salvage.
                    _replicas[i] = _replicas[i] with
                    {
                        Mode = ReplicaMode.Error,
                        Failure = f.Reason,
                        FailedAt = f.At,
                        Fault = _replicas[i].Mode == ReplicaMode.WriteOnly ? ReplicaFault.Untrusted : f.Fault,
                        // During an operation (a snapshot's drain above all) it may have taken the operation without a write the
                        // others took: a catch-up from that point on would trust a layer it has wrong.
                        NoCatchUp = Pending is { } during ? $"it failed during {during.Kind}" : null,
                    };
                break;
            case ReplicasSalvaged s:
                for (var r = 0; r < _replicas.Count; r++)
                    if (_replicas[r].Id == s.Source || s.Reconciled.Contains(_replicas[r].Id))
                        _replicas[r] = _replicas[r] with { Mode = ReplicaMode.ReadWrite, Failure = null, FailedAt = null, Fault = null, NoCatchUp = null };
                LastSalvage = s;
                Note(s.At, "salvaged", s.Source, $"{s.Reason}; reconciled: {(s.Reconciled.Count == 0 ? "none" : string.Join(", ", s.Reconciled))}");
                break;
            case ReplicaAdded a:
                _replicas.Add(new ReplicaRecord(a.ReplicaId, a.Node, a.Disk, ReplicaMode.WriteOnly, null, null));
                Note(a.At, "rebuild-started", a.ReplicaId, $"on disk {a.Disk}" + (a.Replaces is { } old ? $", to replace {old}" : ""));
                break;
            case ReplicaRebuilt b:
                var rebuilt = _replicas.FindIndex(r => r.Id == b.ReplicaId);
                if (rebuilt >= 0 && _replicas[rebuilt].Mode == ReplicaMode.WriteOnly) _replicas[rebuilt] = _replicas[rebuilt] with { Mode = ReplicaMode.ReadWrite };
                Note(b.At, "rebuilt", b.ReplicaId, $"{b.CopiedBytes} bytes copied and checked; read-write" + (b.Detail is { } account ? $" ({account})" : ""));
                break;
            case ReplicaRejoined j:
                var back = _replicas.FindIndex(r => r.Id == j.ReplicaId);
                if (back >= 0 && _replicas[back].Mode == ReplicaMode.Error)
                {
                    _replicas[back] = _replicas[back] with { Mode = ReplicaMode.WriteOnly, Failure = null, FailedAt = null, Fault = null, NoCatchUp = null };
                    Note(j.At, "catch-up-started", j.ReplicaId, $"back with its data; it gets what was written while it was away (its old head patched as layer {j.Patch})");
                }
                break;
            case ReplicaCaughtUp u:
                var caught = _replicas.FindIndex(r => r.Id == u.ReplicaId);
                if (caught >= 0 && _replicas[caught].Mode == ReplicaMode.WriteOnly) _replicas[caught] = _replicas[caught] with { Mode = ReplicaMode.ReadWrite };
                Note(u.At, "caught-up", u.ReplicaId, $"{u.CopiedBytes} bytes copied and checked; read-write" + (u.Detail is { } how ? $" ({how})" : ""));
                break;
            case StaleReplicaRemoved stale:
                Note(stale.At, "stale-replica-removed", stale.ReplicaId, stale.Detail, stale.Node);
                break;
            case ReplicaEvictionRequested ev:
                var evicted = _replicas.FindIndex(r => r.Id == ev.ReplicaId);
                if (evicted >= 0 && !_replicas[evicted].Evicting)
                {
                    _replicas[evicted] = _replicas[evicted] with { Evicting = true };
                    Note(ev.At, "eviction-requested", ev.ReplicaId, "it is rebuilt elsewhere, then removed");
                }
                break;
            case ReplicaRemoved removed:
                Note(removed.At, "replica-removed", removed.ReplicaId, removed.Reason);
                _replicas.RemoveAll(r => r.Id == removed.ReplicaId);
                break;
            case OperationRequested o:
                Pending = o;
                if (o is { Kind: OperationKind.Snapshot, UserCreated: false }) RebuildSnapshot = o.Name;
                break;
            case OperationCompleted c:
                if (Pending is { Kind: OperationKind.Expand } expand && c.Succeeded) Size = expand.Size;
                if (Pending is { Kind: not (OperationKind.Snapshot or OperationKind.DeleteSnapshot) } rewrite && c.Succeeded)
                    // A replica away meanwhile has the snapshots as they were: it cannot catch up, only be replaced
                    // (a snapshot marked removed meanwhile is marked on it too as it catches up: CatchUpRules).
                    for (var r = 0; r < _replicas.Count; r++)
                        if (_replicas[r] is { Mode: ReplicaMode.Error, NoCatchUp: null } away)
                            _replicas[r] = away with { NoCatchUp = $"the snapshots changed ({rewrite.Kind}) while it was away" };
                Pending = null;
                break;
            case VolumeDeleted:
                _history.Clear();
                Exists = false;
                CreateDone = false;
                AttachedTo = null;
                Maintenance = false;
                Pending = null;
                _replicas.Clear();
                break;
        }
    }

    /// <summary>The replicas a salvage may try: failed ones, except those whose data cannot be trusted (a failed fsync, corrupt files).</summary>
    public IEnumerable<ReplicaRecord> SalvageCandidates => _replicas.Where(r => r.Mode == ReplicaMode.Error && r.Fault != ReplicaFault.Untrusted);

    /// <summary>No replica serves reads: every write fails until the volume is salvaged or rebuilt.</summary>
    public bool Faulted => Exists && !_replicas.Any(r => r.Mode == ReplicaMode.ReadWrite);

    /// <param name="Evicting">To move off its node or disk: a rebuild replaces it elsewhere, then it is removed.</param>
    /// <param name="NoCatchUp">Why this failed replica cannot catch up (only a rebuild replaces it), or null.</param>
    public sealed record ReplicaRecord(string Id, string Node, string Disk, ReplicaMode Mode, string? Failure, DateTimeOffset? FailedAt, ReplicaFault? Fault = null, bool Evicting = false,
        string? NoCatchUp = null);

    /// <summary>The whole state, for an Akka snapshot.</summary>
    public VolumeSnapshot ToSnapshot() => new(Id, Size, ReplicaCount, Created, Exists, CreateDone, AttachedTo, Epoch, Pending,
        _replicas.Select(r => new ReplicaState(r.Id, r.Node, r.Disk, r.Mode, r.Failure, r.FailedAt, r.Fault, r.Evicting, r.NoCatchUp)).ToArray(), LastSalvage, DetachReason, _history.ToArray(),
        Maintenance, RebuildSnapshot, SoftAntiAffinity, RestoringFrom, Standby, AppliedBackup);

    /// <summary>Takes the state of a snapshot; the events after it are applied next.</summary>
    public void Restore(VolumeSnapshot s)
    {
        Id = s.VolumeId;
        Size = s.Size;
        ReplicaCount = s.ReplicaCount;
        Created = s.Created;
        Exists = s.Exists;
        CreateDone = s.CreateDone;
        AttachedTo = s.AttachedTo;
        Maintenance = s.Maintenance;
        RebuildSnapshot = s.RebuildSnapshot;
        SoftAntiAffinity = s.SoftAntiAffinity;
        RestoringFrom = s.RestoringFrom;
        Standby = s.Standby;
        AppliedBackup = s.AppliedBackup;
        Epoch = s.Epoch;
        Pending = s.Pending;
        LastSalvage = s.LastSalvage;
        DetachReason = s.DetachReason;
        _replicas.Clear();
        _replicas.AddRange(s.Replicas.Select(r => new ReplicaRecord(r.Id, r.Node, r.Disk, r.Mode, r.Failure, r.FailedAt, r.Fault, r.Evicting, r.NoCatchUp)));
        _history.Clear();
        _history.AddRange(s.History ?? []);
    }
}
