namespace ActorStore.Cli;

/// <summary>The gateway's routes (src/Cluster/Api/Contracts/ApiContracts.cs), relative to the node's address.</summary>
public static class Routes
{
    public const string Cluster = "cluster";
    public const string Volumes = "volumes";
    public const string Nodes = "nodes";
    public const string Rebuilds = "rebuilds";
    public const string BackupTarget = "backup-target";
    public const string Backups = "backups";

    public static string Member(string node, string action) => $"cluster/members/{E(node)}/{action}";
    public static string Volume(string name) => $"volumes/{E(name)}";
    public static string VolumeAction(string name, string action) => $"volumes/{E(name)}/{action}";
    public static string Snapshots(string volume) => $"volumes/{E(volume)}/snapshots";
    public static string Snapshot(string volume, string snapshot) => $"volumes/{E(volume)}/snapshots/{E(snapshot)}";
    public static string VolumeBackups(string volume) => $"volumes/{E(volume)}/backups";
    public static string Backup(string id) => $"backups/{E(id)}";
    public static string BackupsOf(string volume) => $"backups?volume={E(volume)}";
    public static string BackupRestore(string id) => $"backups/{E(id)}/restore";
    public static string Restore(string id) => $"restores/{E(id)}";
    public const string Restores = "restores";
    public const string Jobs = "jobs";
    public static string Job(string name) => $"jobs/{E(name)}";
    public static string VolumeJobs(string volume) => $"volumes/{E(volume)}/jobs";
    public static string VolumeJob(string volume, string item) => $"volumes/{E(volume)}/jobs/{E(item)}";
    public static string Node(string node) => $"nodes/{E(node)}";
    public static string NodeAction(string node, string action) => $"nodes/{E(node)}/{action}";
    public static string Disks(string node) => $"nodes/{E(node)}/disks";
    public static string Disk(string node, string disk) => $"nodes/{E(node)}/disks/{E(disk)}";
    public static string DiskSchedule(string node, string disk) => DiskAction(node, disk, "schedule");
    public static string DiskAction(string node, string disk, string action) => $"nodes/{E(node)}/disks/{E(disk)}/{action}";

    private static string E(string segment) => Uri.EscapeDataString(segment);
}
