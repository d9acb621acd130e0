namespace ActorStore.Nbd.Bench;

/// <summary>One fio job shape: pattern, block size, queue depth.</summary>
public sealed record Workload(string Name, string Rw, string BlockSize, int Depth)
{
    public bool IsRead => Rw.Contains("read", StringComparison.Ordinal);

    public static readonly IReadOnlyList<Workload> All =
    [
        new("4k randread qd32", "randread", "4k", 32),
        new("4k randread qd1", "randread", "4k", 1),
        new("4k randwrite qd32", "randwrite", "4k", 32),
        new("4k randwrite qd1", "randwrite", "4k", 1),
        new("1M read qd32", "read", "1M", 32),
        new("1M write qd32", "write", "1M", 32),
    ];
}
