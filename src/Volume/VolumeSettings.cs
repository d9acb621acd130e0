using ActorStore.Blocks;
using Akka.Configuration;

namespace ActorStore.Volume;

/// <summary>
/// Settings of the volume service, read from <c>actorstore.volume</c> and <c>actorstore.replica</c>
/// (hocon/reference.conf documents every key). <see cref="Create"/> fails at start naming the bad key.
/// </summary>
public sealed record VolumeSettings(
    ReplicaOptions Replica,
    bool ForceSocket,
    int DefaultReplicas,
    TimeSpan ReplicaCommandTimeout,
    TimeSpan ReplicaRequestTimeout,
    TimeSpan FailurePersistTimeout,
    bool AutoSalvage = true,
    int JournalSnapshotEvery = 100,
    TimeSpan? NodeLostGrace = null,
    TimeSpan? EngineLease = null,
    TimeSpan? ReplenishmentWait = null,
    bool SoftAntiAffinity = false,
    long RebuildBandwidth = 0,
    TimeSpan? AuditEvery = null,
    TimeSpan? StaleGrace = null,
    int ConcurrentRebuildsPerNode = 5)
{
    /// <summary>How often each node checks its replica directories against the volumes (stale and orphan replicas, DESIGN §5).</summary>
    public TimeSpan ReplicaAuditEvery => AuditEvery ?? TimeSpan.FromSeconds(30);

    /// <summary>How long a stale replica (replaced while its node was away) is kept before its node removes it.</summary>
    public TimeSpan StaleReplicaGrace => StaleGrace ?? TimeSpan.FromMinutes(10);

    /// <summary>How long a failed replica may come back before a rebuild replaces it (DESIGN §5).</summary>
    public TimeSpan ReplicaReplenishmentWait => ReplenishmentWait ?? TimeSpan.FromMinutes(10);

    /// <summary>How long an engine serves after its node last heard a majority of the cluster (<see cref="Engine.NodeLease"/>).</summary>
    public TimeSpan EngineLeaseDuration => EngineLease ?? TimeSpan.FromSeconds(5);

    /// <summary>How long a recovering controller waits for its engine's node to be reachable before it releases the attachment (node-lost).</summary>
    public TimeSpan NodeLostAfter => NodeLostGrace ?? TimeSpan.FromSeconds(30);

    /// <summary>An engine start opens, connects and reconciles every replica: two replica command timeouts.</summary>
    public TimeSpan EngineStartTimeout => ReplicaCommandTimeout * 2;

    public static VolumeSettings Default { get; } = new(new ReplicaOptions(), false, 2, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(45));

    public static VolumeSettings Create(Config config)
    {
        var replica = new ReplicaOptions
        {
            MaxSize = Settings.Bytes(config, "actorstore.replica.max-size", 1L << 30, 64L << 40),
            MaxSnapshots = (int)Settings.Long(config, "actorstore.replica.max-snapshots", 1, 250),
            DirtyRegionBudget = (int)Settings.Long(config, "actorstore.replica.dirty-region-budget", 1, 1 << 20),
        };
        return new VolumeSettings(
            replica,
            config.GetBoolean("actorstore.volume.force-socket", false),
            (int)Settings.Long(config, "actorstore.volume.default-replicas", 1, 3),
            Settings.Duration(config, "actorstore.volume.replica-command-timeout"),
            Settings.Duration(config, "actorstore.volume.replica-request-timeout"),
            Settings.Duration(config, "actorstore.volume.failure-persist-timeout"),
            config.GetBoolean("actorstore.volume.auto-salvage", true),
            (int)Settings.Long(config, "actorstore.volume.journal-snapshot-every", 1, 1_000_000),
            Settings.Duration(config, "actorstore.volume.node-lost-grace"),
            Settings.Duration(config, "actorstore.volume.engine-lease"),
            Settings.Duration(config, "actorstore.volume.replica-replenishment-wait"),
            config.GetBoolean("actorstore.volume.replica-soft-anti-affinity", false),
            Settings.Bytes(config, "actorstore.volume.rebuild-bandwidth", 0, 1L << 40),
            Settings.Duration(config, "actorstore.volume.replica-audit-every"),
            Settings.Duration(config, "actorstore.volume.stale-replica-grace"),
            (int)Settings.Long(config, "actorstore.volume.concurrent-rebuilds-per-node", 1, 1000));
    }
}
