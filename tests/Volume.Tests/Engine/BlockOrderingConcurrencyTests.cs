using ActorStore.Volume.Engine;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Volume.Tests.Engine;

public sealed class BlockOrderingConcurrencyTests(ITestOutputHelper output)
{
    private const int Blocks = 16;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Overlapping_ranges_are_never_held_together_and_run_in_arrival_order(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var ordering = new BlockOrdering();
        var holders = new int[Blocks];
        var violations = 0;
        var arrivalOrder = new object();
        var started = new List<int>[Blocks];
        for (var b = 0; b < Blocks; b++) started[b] = [];
        var arrivals = new List<int>[Blocks];
        for (var b = 0; b < Blocks; b++) arrivals[b] = [];
        var next = 0;

        async Task RunAsync(int first, int count, long subOffset)
        {
            ValueTask<BlockOrdering.Entry> entering;
            int id;
            lock (arrivalOrder)
            {
                // Enter and record the arrival together, so the recorded order is the order the ordering saw.
                id = next++;
                entering = ordering.EnterAsync(first * 4096L + subOffset, count * 4096L - subOffset);
                for (var b = first; b < first + count; b++) arrivals[b].Add(id);
            }
            var entry = await entering;
            for (var b = first; b < first + count; b++)
            {
                if (Interlocked.Increment(ref holders[b]) != 1) Interlocked.Increment(ref violations);
                lock (started[b]) started[b].Add(id);
            }
            await Task.Yield();
            for (var b = first; b < first + count; b++) Interlocked.Decrement(ref holders[b]);
            ordering.Leave(entry);
        }

        var plans = Enumerable.Range(0, 2000).Select(_ =>
        {
            var first = random.Next(Blocks);
            var count = 1 + random.Next(Math.Min(3, Blocks - first));
            return (first, count, sub: (long)random.Next(2) * 512);
        }).ToArray();
        await Task.WhenAll(plans.Select(p => Task.Run(() => RunAsync(p.first, p.count, p.sub))))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, violations);
        Assert.Equal(0, ordering.Count);
        for (var b = 0; b < Blocks; b++) Assert.Equal(arrivals[b], started[b]);
    }
}
