using System.Runtime.CompilerServices;
using ActorStore.Volume.Frontend.Nbd;
using Xunit;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>The send queue keeps the stream's order across arena bytes and referenced payloads, and swaps two batches.</summary>
public sealed class ReplyQueueTests
{
    private static readonly NbdRequestWork Owner = (NbdRequestWork)RuntimeHelpers.GetUninitializedObject(typeof(NbdRequestWork));

    [Fact]
    public void A_batch_holds_headers_and_payloads_in_the_order_they_were_queued()
    {
        var queue = new ReplyQueue();
        var payload = new byte[] { 9, 9, 9, 9, 9 };
        Write(queue, 1, 2);
        queue.AppendPayload(new ArraySegment<byte>(payload, 1, 3), Owner);
        Write(queue, 3);
        Write(queue, 4); // contiguous arena bytes merge into one piece
        Assert.Equal(4, queue.Publish());

        var batch = queue.TryTake();
        Assert.NotNull(batch);
        Assert.Equal(new byte[] { 1, 2, 9, 9, 9, 3, 4 }, Flatten(batch));
        Assert.Equal(3, batch.Count);
        Assert.Same(Owner, batch[1].Owner);
        Assert.Equal(4, batch.ArenaBytes);
    }

    [Fact]
    public void Batches_swap_between_writers_and_the_sender_and_come_back_empty()
    {
        var queue = new ReplyQueue();
        Assert.Null(queue.TryTake());
        Write(queue, 7);
        queue.Publish();
        Assert.True(queue.HasQueued);
        var first = queue.TryTake()!;
        Assert.False(queue.HasQueued);
        Assert.Equal(new byte[] { 7 }, Flatten(first));

        Write(queue, 8); // queued while the sender still holds the first batch
        queue.Publish();
        Assert.Throws<InvalidOperationException>(() => queue.TryTake()); // the sender must give the first back first
        queue.Recycle(first);
        var second = queue.TryTake()!;
        Assert.NotSame(first, second);
        Assert.Equal(new byte[] { 8 }, Flatten(second));
        queue.Recycle(second);

        queue.Complete();
        Assert.True(queue.IsCompleted);
        Assert.Null(queue.TryTake());
        Write(queue, 9);
        var third = queue.TryTake()!;
        Assert.Same(first, third); // reused, and cleared when recycled
        Assert.Equal(new byte[] { 9 }, Flatten(third));
    }

    [Fact]
    public void The_arena_grows_for_a_batch_larger_than_any_before_and_keeps_its_bytes()
    {
        var queue = new ReplyQueue();
        var expected = new List<byte>();
        for (int i = 0; i < 40_000; i++)
        {
            Write(queue, (byte)i, (byte)(i >> 8));
            expected.Add((byte)i);
            expected.Add((byte)(i >> 8));
        }

        queue.Publish();
        var batch = queue.TryTake();
        Assert.Equal(expected.ToArray(), Flatten(batch!));
    }

    private static void Write(ReplyQueue queue, params byte[] bytes)
    {
        bytes.CopyTo(queue.GetSpan(bytes.Length));
        queue.Advance(bytes.Length);
    }

    private static byte[] Flatten(ReplyBatch batch)
    {
        var all = new List<byte>();
        for (int i = 0; i < batch.Count; i++)
        {
            all.AddRange(batch.Bytes(batch[i]));
        }

        return all.ToArray();
    }
}
