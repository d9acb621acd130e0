namespace ActorStore.Blocks.Tests;

/// <summary>
/// Seeds for randomized tests. ACTORSTORE_SEED=N runs only sequence N (to reproduce a printed failure);
/// otherwise a run covers <c>count</c> consecutive seeds from a fixed base.
/// </summary>
public static class TestSeeds
{
    public static IEnumerable<int> Sequence(int count, int @base) =>
        int.TryParse(Environment.GetEnvironmentVariable("ACTORSTORE_SEED"), out var one) ? [one] : Enumerable.Range(@base, count);

    /// <summary>Runs <paramref name="body"/> per seed; a failure names the seed and how to rerun it.</summary>
    public static void ForEach(int count, int @base, Action<int> body)
    {
        foreach (var seed in Sequence(count, @base))
        {
            try
            {
                body(seed);
            }
            catch (Exception e)
            {
                throw new Exception($"failing seed {seed}: rerun with ACTORSTORE_SEED={seed}\n{e.Message}", e);
            }
        }
    }
}
