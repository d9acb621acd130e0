using ActorStore.Cluster.Nodes;
using ActorStore.Cluster.Volumes;
using ActorStore.Volume.Serialization;
using Akka.Actor;

namespace ActorStore.Cluster.Protocol;

/// <summary>The cluster record's, the node agent's and the volume registry's events and snapshots (bound in reference.conf). These manifests are in journals: never change or reuse one.</summary>
public sealed class ClusterEventSerializer(ExtendedActorSystem system) : EventSerializer(system, Manifests)
{
    public static readonly IReadOnlyDictionary<string, Type> Manifests = new Dictionary<string, Type>
    {
        ["NA"] = typeof(NodeEvents.DiskAdded),
        ["NB"] = typeof(NodeEvents.DiskRemoved),
        ["NC"] = typeof(NodeEvents.DiskSchedulingChanged),
        ["ND"] = typeof(NodeEvents.NodeSchedulingChanged),
        ["NS"] = typeof(NodeEvents.NodeSnapshot),
        ["RA"] = typeof(RegistryEvents.VolumeRegistered),
        ["RB"] = typeof(RegistryEvents.VolumeUnregistered),
        ["RS"] = typeof(RegistryEvents.RegistrySnapshot),
        ["CA"] = typeof(Hosting.ClusterRecord.ClusterCreated),
        ["BA"] = typeof(Backups.BackupEvents.TargetSet),
        ["BB"] = typeof(Backups.BackupEvents.RunStarted),
        ["BC"] = typeof(Backups.BackupEvents.RunFinished),
        ["BD"] = typeof(Backups.BackupEvents.StandbyAdded),
        ["BE"] = typeof(Backups.BackupEvents.StandbyApplied),
        ["BF"] = typeof(Backups.BackupEvents.StandbyRemoved),
        ["BS"] = typeof(Backups.BackupEvents.BackupsSnapshot),
        ["JA"] = typeof(Jobs.JobEvents.JobCreated),
        ["JB"] = typeof(Jobs.JobEvents.JobDeleted),
        ["JC"] = typeof(Jobs.JobEvents.VolumeJobAdded),
        ["JD"] = typeof(Jobs.JobEvents.VolumeJobRemoved),
        ["JE"] = typeof(Jobs.JobEvents.JobRunStarted),
        ["JF"] = typeof(Jobs.JobEvents.JobRunEnded),
        ["JS"] = typeof(Jobs.JobEvents.JobsSnapshot),
    };

    public override int Identifier => 1104;
}
