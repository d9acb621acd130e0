namespace ActorStore.Blocks.Devices;

/// <summary>
/// An fsync failed. Linux reports such an error once and may drop the dirty pages, so nothing written
/// before it can be trusted: the replica that sees this fails for good (DESIGN §3).
/// </summary>
public sealed class FsyncFailedException(string what, IOException inner) : IOException($"fsync of {what} failed: {inner.Message}", inner);

/// <summary>fsync helpers that turn any failure into <see cref="FsyncFailedException"/>.</summary>
internal static class Durably
{
    public static void Fsync(IFileHandle handle, string what, bool dataOnly = false)
    {
        try
        {
            handle.Fsync(dataOnly);
        }
        catch (IOException e) when (e is not FsyncFailedException)
        {
            throw new FsyncFailedException(what, e);
        }
    }

    public static void FsyncDirectory(IFileSystem fs, string directory)
    {
        try
        {
            fs.FsyncDirectory(directory);
        }
        catch (IOException e) when (e is not FsyncFailedException)
        {
            throw new FsyncFailedException(directory, e);
        }
    }
}
