namespace ActorStore.Blocks.Devices;

/// <summary>
/// The one seam every file operation of the replica store goes through (DESIGN §4): the real
/// Linux implementation and a simulated one that can cut power. Paths are absolute.
/// Failures surface as <see cref="IOException"/>; ENOSPC has <c>HResult == 28</c>.
/// </summary>
public interface IFileSystem
{
    /// <summary>Opens a file for positional read and write; <paramref name="create"/> creates it if missing.</summary>
    IFileHandle Open(string path, bool create);

    bool FileExists(string path);

    bool DirectoryExists(string path);

    void CreateDirectory(string path);

    /// <summary>Names of the plain files directly inside <paramref name="directory"/> (no paths).</summary>
    IReadOnlyList<string> ListFiles(string directory);

    /// <summary>Atomically replaces <paramref name="to"/> with <paramref name="from"/> (rename(2)); durable after <see cref="FsyncDirectory"/>.</summary>
    void Rename(string from, string to);

    /// <summary>
    /// Atomically swaps the files named <paramref name="a"/> and <paramref name="b"/> (renameat2 RENAME_EXCHANGE);
    /// both must exist. Needs no free space, unlike writing a new file; durable after <see cref="FsyncDirectory"/>.
    /// </summary>
    void Exchange(string a, string b);

    /// <summary>A second name for the same file (link(2)); durable after <see cref="FsyncDirectory"/>.</summary>
    void Link(string existing, string newName);

    /// <summary>Removes a name; durable after <see cref="FsyncDirectory"/>. Missing names are ignored.</summary>
    void Delete(string path);

    void FsyncDirectory(string directory);
}
