using ActorStore.Volume.Engine;
using Xunit;

namespace ActorStore.Volume.Tests.Engine;

public sealed class BlockOrderingTests
{
    private const long Block = 4096;

    [Fact]
    public void Non_overlapping_requests_proceed_at_once()
    {
        var ordering = new BlockOrdering();
        var a = ordering.EnterAsync(0, Block);
        var b = ordering.EnterAsync(Block, 2 * Block);
        var c = ordering.EnterAsync(10 * Block, 1);
        Assert.True(a.IsCompletedSuccessfully && b.IsCompletedSuccessfully && c.IsCompletedSuccessfully);
        Assert.Equal(3, ordering.Count);
    }

    [Fact]
    public async Task An_overlapping_request_waits_until_the_earlier_one_leaves()
    {
        var ordering = new BlockOrdering();
        var first = await ordering.EnterAsync(0, 2 * Block);
        var second = ordering.EnterAsync(Block, Block).AsTask();
        Assert.False(second.IsCompleted);
        ordering.Leave(first);
        ordering.Leave(await second.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, ordering.Count);
    }

    [Fact]
    public async Task Sub_block_ranges_in_the_same_block_conflict()
    {
        var ordering = new BlockOrdering();
        var first = await ordering.EnterAsync(0, 512);
        var second = ordering.EnterAsync(3584, 512).AsTask();
        var otherBlock = ordering.EnterAsync(Block, 512);
        Assert.False(second.IsCompleted);
        Assert.True(otherBlock.IsCompletedSuccessfully);
        ordering.Leave(first);
        await second.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_range_ending_on_a_block_boundary_does_not_claim_the_next_block()
    {
        var ordering = new BlockOrdering();
        await ordering.EnterAsync(0, Block);
        Assert.True(ordering.EnterAsync(Block, Block).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Overlapping_waiters_are_released_in_arrival_order_one_at_a_time()
    {
        var ordering = new BlockOrdering();
        var first = await ordering.EnterAsync(0, Block);
        var second = ordering.EnterAsync(0, Block).AsTask();
        var third = ordering.EnterAsync(0, Block).AsTask();
        ordering.Leave(first);
        var secondEntry = await second.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(third.IsCompleted);
        ordering.Leave(secondEntry);
        ordering.Leave(await third.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, ordering.Count);
    }

    [Fact]
    public async Task Leave_releases_exactly_the_waiters_whose_last_dependency_left()
    {
        var ordering = new BlockOrdering();
        var left = await ordering.EnterAsync(0, Block);                // block 0
        var right = await ordering.EnterAsync(2 * Block, Block);       // block 2
        var spanning = ordering.EnterAsync(0, 3 * Block).AsTask();     // blocks 0-2: waits for both
        var onlyLeft = ordering.EnterAsync(0, 512).AsTask();           // block 0: waits for left and spanning
        var onlyMiddle = ordering.EnterAsync(Block, Block).AsTask();   // block 1: waits for spanning
        ordering.Leave(left);
        Assert.False(spanning.IsCompleted);
        Assert.False(onlyLeft.IsCompleted);
        ordering.Leave(right);
        var spanningEntry = await spanning.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(onlyLeft.IsCompleted);
        Assert.False(onlyMiddle.IsCompleted);
        ordering.Leave(spanningEntry);
        ordering.Leave(await onlyLeft.WaitAsync(TimeSpan.FromSeconds(20)));
        ordering.Leave(await onlyMiddle.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, ordering.Count);
    }

    [Fact]
    public async Task Entries_are_pooled_across_many_cycles_and_count_returns_to_zero()
    {
        var ordering = new BlockOrdering();
        var seen = new HashSet<BlockOrdering.Entry>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < 10_000; i++)
        {
            var a = await ordering.EnterAsync(i % 7 * Block, Block);
            var b = ordering.EnterAsync(i % 7 * Block, 2 * Block).AsTask();
            seen.Add(a);
            ordering.Leave(a);
            var bEntry = await b.WaitAsync(TimeSpan.FromSeconds(20));
            seen.Add(bEntry);
            ordering.Leave(bEntry);
            Assert.Equal(0, ordering.Count);
        }
        Assert.True(seen.Count <= 2, $"{seen.Count} distinct entries for two at a time");
    }
}
