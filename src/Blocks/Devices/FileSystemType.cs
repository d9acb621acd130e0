namespace ActorStore.Blocks.Devices;

/// <summary>
/// What kind of file system a directory is on (statfs f_type), to refuse the ones that are not a local
/// disk with a reason an operator understands: pseudo file systems (/proc, /sys …) and network ones.
/// </summary>
public static class FileSystemType
{
    private static readonly Dictionary<long, string> Pseudo = new()
    {
        [0x9fa0] = "proc",
        [0x62656572] = "sysfs",
        [0x1cd1] = "devpts",
        [0x01021994] = "tmpfs",
        [0x858458f6] = "ramfs",
        [0x27e0eb] = "cgroup",
        [0x63677270] = "cgroup2",
        [0x64626720] = "debugfs",
        [0x73636673] = "securityfs",
        [0x74726163] = "tracefs",
        [0xcafe4a11] = "bpf",
        [0x6165676c] = "pstore",
        [0xde5e81e4] = "efivarfs",
        [0x62656570] = "configfs",
        [0x65735543] = "fusectl",
        [0x958458f6] = "hugetlbfs",
        [0x19800202] = "mqueue",
        [0x6e736673] = "nsfs",
        [0x42494e4d] = "binfmt_misc",
        [0x73717368] = "squashfs",
        [0x9660] = "iso9660",
    };

    private static readonly Dictionary<long, string> Network = new()
    {
        [0x6969] = "nfs",
        [0x517b] = "smb",
        [0xff534d42] = "cifs",
        [0xfe534d42] = "smb2",
        [0x00c36400] = "ceph",
        [0x5346414f] = "afs",
        [0x01021997] = "9p",
        [0x65735546] = "fuse",
    };

    /// <summary>Null when <paramref name="directory"/> is on a local disk file system (or its type cannot be read); else why it cannot hold replicas.</summary>
    public static string? Refusal(string directory)
    {
        if (LinuxNative.FileSystemMagic(directory) is not { } magic) return null;
        if (Pseudo.TryGetValue(magic, out var pseudo))
            return $"{directory} is on {pseudo}, a {(pseudo is "tmpfs" or "ramfs" ? "memory" : pseudo is "squashfs" or "iso9660" ? "read-only" : "pseudo")} file system, not a disk; use a directory on a local disk (ext4 or xfs)";
        if (Network.TryGetValue(magic, out var network))
            return $"{directory} is on {network}, a network or user-space file system; replicas need a local disk (ext4 or xfs), the cluster replicates them across hosts itself";
        return null;
    }
}
