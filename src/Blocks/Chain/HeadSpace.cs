namespace ActorStore.Blocks.Chain;

/// <summary>
/// Space reserved in the head file (fallocate, keeping its size) before a write or zeroes touch it, so the write
/// itself allocates nothing and a full disk answers before any byte changed (DESIGN §3, ENOSPC). Reads the
/// read index to reserve only blocks the head does not hold yet; given back (punched) when a reservation fails.
/// </summary>
internal readonly struct HeadSpace(ReadIndex index, Layer head)
{
    /// <summary>
    /// Reserves the head's space for the blocks in [block, end) it does not hold yet, before any of them is
    /// written, so that the write itself allocates nothing. On ext4 a write that runs out of space part-way
    /// can leave blocks it allocated reading as zeros (neither the old content nor the new), while a
    /// reservation that fails leaves at most unwritten extents, which read as the layers below; those are
    /// given back at once. A write over blocks the head already holds costs one index lookup here.
    /// </summary>
    /// <param name="holesToo">Also the blocks no layer holds (a write fills them); false for zeroes, which leave such holes as they are.</param>
    public void Reserve(long block, long end, bool holesToo = true)
    {
        var start = block;
        var pending = -1L; // first block of neighbouring runs to reserve: one reservation
        try
        {
            while (block < end)
            {
                var run = index.Run(block, end - block, out var layer);
                var needed = layer != head.Id && (holesToo || layer != 0);
                if (needed && pending < 0) pending = block;
                else if (!needed && pending >= 0)
                {
                    Allocate(pending, block);
                    pending = -1;
                }
                block += run;
            }
            if (pending >= 0) Allocate(pending, end);
        }
        catch (IOException)
        {
            Release(start, end);
            throw;
        }
    }

    /// <summary>
    /// Everything zeroes over the range will write, reserved before the first byte is: the blocks below the head
    /// that zeros must hide, the partial blocks at either end, and with <paramref name="allocate"/> the holes too.
    /// So a disk that cannot hold them answers NoSpace having changed nothing, on every replica alike.
    /// </summary>
    public void ReserveForZeroes(long offset, long length, bool allocate)
    {
        var first = BlockSize.BlockOf(offset);
        var end = BlockSize.BlocksIn(offset + length);
        try
        {
            Reserve(first, end, holesToo: allocate);
            if (!BlockSize.IsAligned(offset)) Reserve(first, first + 1);
            if (!BlockSize.IsAligned(offset + length)) Reserve(end - 1, end);
        }
        catch (IOException)
        {
            Release(first, end);
            throw;
        }
    }

    private void Allocate(long block, long end) => head.Handle.Allocate(block << BlockSize.Shift, (end - block) << BlockSize.Shift);

    /// <summary>Punches the blocks in [block, end) that the head does not hold: only reservations can be there.</summary>
    public void Release(long block, long end)
    {
        try
        {
            while (block < end)
            {
                var run = index.Run(block, end - block, out var layer);
                if (layer != head.Id) head.Handle.PunchHole(block << BlockSize.Shift, run << BlockSize.Shift);
                block += run;
            }
        }
        catch (IOException)
        {
            // They read as holes all the same; only their space stays taken until the blocks are written.
        }
    }
}
