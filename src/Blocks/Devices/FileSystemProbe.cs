namespace ActorStore.Blocks.Devices;

/// <summary>
/// Checks that the file system under a directory can hold replicas: sparse files, space reservation,
/// hole punching and an extent map (FIEMAP) that tells data from holes and reservations. tmpfs, for one, has no FIEMAP; without it a reopened
/// replica could not tell which layer holds a block (DESIGN §4: such a disk is refused).
/// </summary>
public static class FileSystemProbe
{
    /// <summary>Null when the file system is suitable; otherwise what it lacks, in words for an operator.</summary>
    public static string? Problem(IFileSystem fs, string directory)
    {
        if (fs is LinuxFileSystem && FileSystemType.Refusal(directory) is { } refusal) return refusal;
        var path = Path.Combine(directory, $".actorstore-probe-{Guid.NewGuid():N}");
        try
        {
            using (var file = fs.Open(path, create: true))
            {
                var block = new byte[BlockSize.Bytes];
                block.AsSpan().Fill(0xA5);
                file.SetLength(16 * BlockSize.Bytes);
                for (var b = 0; b < 3; b++) file.Write(b * BlockSize.Bytes, block);
                var extents = new List<BlockExtent>();
                try
                {
                    file.GetDataExtents(0, file.Length, extents);
                }
                catch (IOException e)
                {
                    return $"the file system under {directory} does not report file extents (FIEMAP: {e.Message}); use ext4 or xfs";
                }
                if (!extents.SequenceEqual([new BlockExtent(0, 3)]))
                    return $"the file system under {directory} reports wrong extents for a sparse file ({string.Join(", ", extents)}); use ext4 or xfs";
                try
                {
                    // Writes reserve their space first (Replica.ReserveHeadSpace); a reservation must read as a hole.
                    file.Allocate(3 * BlockSize.Bytes, BlockSize.Bytes);
                }
                catch (IOException e) when (e.HResult != LinuxNative.Enospc)
                {
                    return $"the file system under {directory} cannot reserve space in a file (fallocate: {e.Message}); use ext4 or xfs";
                }
                extents.Clear();
                file.GetDataExtents(0, file.Length, extents);
                if (!extents.SequenceEqual([new BlockExtent(0, 3)]))
                    return $"the file system under {directory} reports reserved space as data ({string.Join(", ", extents)}); use ext4 or xfs";
                try
                {
                    file.PunchHole(BlockSize.Bytes, BlockSize.Bytes);
                }
                catch (IOException e)
                {
                    return $"the file system under {directory} cannot punch holes ({e.Message}); use ext4 or xfs";
                }
                extents.Clear();
                file.GetDataExtents(0, file.Length, extents);
                file.Read(BlockSize.Bytes, block);
                if (!extents.SequenceEqual([new BlockExtent(0, 1), new BlockExtent(2, 1)]) || block.AsSpan().ContainsAnyExcept((byte)0))
                    return $"the file system under {directory} does not free a punched block; use ext4 or xfs";
            }
            return null;
        }
        finally
        {
            try
            {
                fs.Delete(path);
            }
            catch (IOException)
            {
                // The probe file is hidden and harmless; it goes with the next probe of a writable disk.
            }
        }
    }
}
