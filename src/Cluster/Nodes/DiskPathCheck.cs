using ActorStore.Blocks;
using ActorStore.Blocks.Devices;

namespace ActorStore.Cluster.Nodes;

/// <summary>
/// Decides whether a directory may become a disk of this node, before anything changes: it exists (or is
/// created when the request asks), is a directory, is on a local disk file system (not /proc, /sys, tmpfs,
/// NFS …), neither lies inside another disk nor holds one, and passes the replica store's probe (sparse
/// files, reservations, hole punching, extent maps). Every refusal says what to do instead. Does file I/O:
/// run it off an actor's thread.
/// </summary>
public static class DiskPathCheck
{
    /// <summary>Null when <paramref name="path"/> (absolute, normalised) can hold replicas; otherwise why not.</summary>
    public static string? Problem(string path, bool create, IEnumerable<string> otherDisks)
    {
        if (Nesting(path, otherDisks) is { } nested) return nested;
        try
        {
            if (!Directory.Exists(path))
            {
                if (File.Exists(path)) return $"{path} is a file, not a directory";
                if (!create) return $"{path} does not exist; create the directory first, or ask for it to be created (pbm node disk add … --create)";
                if (FileSystemType.Refusal(ExistingParent(path)) is { } parent) return parent;
                Directory.CreateDirectory(path);
            }
            return FileSystemProbe.Problem(LinuxFileSystem.Instance, path);
        }
        catch (IOException e)
        {
            // HResult 28: ENOSPC.
            return e.HResult == 28 ? $"{path} is on a full file system; free space or pick another disk" : $"{path} cannot be used: {e.Message}";
        }
        catch (UnauthorizedAccessException e)
        {
            return $"{path} cannot be written by the node ({e.Message}); check its owner and permissions";
        }
    }

    /// <summary>Null unless <paramref name="path"/> lies inside another disk or holds one. No I/O.</summary>
    public static string? Nesting(string path, IEnumerable<string> otherDisks)
    {
        foreach (var other in otherDisks)
        {
            if (Within(path, other)) return $"{path} is inside {other}, which is already a disk of this node; give a directory of its own";
            if (Within(other, path)) return $"{path} holds {other}, which is already a disk of this node; give a directory of its own";
        }
        return null;
    }

    private static bool Within(string path, string directory) =>
        path == directory || path.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal);

    private static string ExistingParent(string path)
    {
        var dir = path;
        while (!Directory.Exists(dir) && Path.GetDirectoryName(dir) is { } parent) dir = parent;
        return dir;
    }
}
