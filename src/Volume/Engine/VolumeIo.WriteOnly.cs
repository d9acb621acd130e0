using System.Buffers;
using ActorStore.Blocks;
using ActorStore.Volume.Io;

namespace ActorStore.Volume.Engine;

// A rebuilding (WO) replica takes every live write while its lower layers are still being copied (DESIGN §5).
// A write into part of a block would make it copy the rest of that block up from a layer not copied yet, so
// a WO replica gets such a write widened to whole blocks: the rest of each edge block is read from an RW
// replica first. The block ordering the caller holds keeps every other mutation of those blocks out meanwhile.
public sealed partial class VolumeIo
{
    private static bool NeedsWidening(Mutation mutation, long offset, long length) =>
        mutation is Mutation.Write or Mutation.Zeroes or Mutation.ZeroesAllocated
        && ((offset & (BlockSize.Bytes - 1)) != 0 || ((offset + length) & (BlockSize.Bytes - 1)) != 0);

    /// <summary>The mutation as whole blocks for a WO replica: merged edge blocks written, an aligned middle of zeroes zeroed.</summary>
    private async ValueTask<ReplicaStatus> WidenedAsync(ReplicaSetView view, IReplicaChannel channel, Mutation mutation, long offset, long length, ReadOnlyMemory<byte> data)
    {
        var start = offset & ~(long)(BlockSize.Bytes - 1);
        var end = (offset + length + BlockSize.Bytes - 1) & ~(long)(BlockSize.Bytes - 1);
        if (mutation != Mutation.Write && end - start > 2 * BlockSize.Bytes)
        {
            // Long zeroes: only the partial edge blocks are written; the whole blocks between are zeroed as asked.
            var middle = (offset + BlockSize.Bytes - 1) & ~(long)(BlockSize.Bytes - 1);
            var middleEnd = (offset + length) & ~(long)(BlockSize.Bytes - 1);
            if (middle > offset && await WidenedAsync(view, channel, mutation, offset, middle - offset, default).ConfigureAwait(false) is var head and not ReplicaStatus.Ok) return head;
            if (middleEnd > middle && await Start(channel, mutation, middle, middleEnd - middle, default).ConfigureAwait(false) is var zeroed and not ReplicaStatus.Ok) return zeroed;
            return middleEnd < offset + length ? await WidenedAsync(view, channel, mutation, middleEnd, offset + length - middleEnd, default).ConfigureAwait(false) : ReplicaStatus.Ok;
        }
        var buffer = ArrayPool<byte>.Shared.Rent((int)(end - start));
        try
        {
            var block = buffer.AsMemory(0, (int)(end - start));
            if (await ReadEdgeAsync(view, start, block[..BlockSize.Bytes]).ConfigureAwait(false) is var first and not ReplicaStatus.Ok) return first;
            if (end - start > BlockSize.Bytes && await ReadEdgeAsync(view, end - BlockSize.Bytes, block[^BlockSize.Bytes..]).ConfigureAwait(false) is var last and not ReplicaStatus.Ok) return last;
            var within = block.Span.Slice((int)(offset - start), (int)length);
            if (mutation == Mutation.Write) data.Span.CopyTo(within);
            else within.Clear();
            return await channel.WriteAsync(start, block).ConfigureAwait(false);
        }
        finally
        {
            if (!AbandonedMemory.IsHeld(buffer)) ArrayPool<byte>.Shared.Return(buffer); // a write given up on still reads it
        }
    }

    /// <summary>An edge block as the RW replicas hold it now; an error when none can be read (the WO replica then fails).</summary>
    private static async ValueTask<ReplicaStatus> ReadEdgeAsync(ReplicaSetView view, long offset, Memory<byte> destination)
    {
        var status = ReplicaStatus.IoError;
        foreach (var member in view.Readable)
            if ((status = await member.Channel.ReadAsync(offset, destination).ConfigureAwait(false)) == ReplicaStatus.Ok) return status;
        return status;
    }
}
