namespace ActorStore.Nbd.Bench;

/// <summary>
/// Command-line options: <c>--seconds N</c> per fio run, <c>--size-mib N</c> per target, <c>--nbdkit-only</c>,
/// <c>--setup TEXT</c> and <c>--only TEXT</c> to run only the setups and workloads whose label contains TEXT,
/// <c>--pairs N</c> alternating node/nbdkit pairs per workload, <c>--warmup N</c> seconds of unmeasured warm-up.
/// </summary>
public sealed record BenchOptions(int Seconds, long SizeMiB, bool NbdkitOnly, string? Setup = null, string? Only = null, int Pairs = 3, int WarmupSeconds = 3)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(10, 1024, false);
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--seconds" when i + 1 < args.Length => options with { Seconds = int.Parse(args[++i]) },
                "--size-mib" when i + 1 < args.Length => options with { SizeMiB = long.Parse(args[++i]) },
                "--nbdkit-only" => options with { NbdkitOnly = true },
                "--setup" when i + 1 < args.Length => options with { Setup = args[++i] },
                "--only" when i + 1 < args.Length => options with { Only = args[++i] },
                "--pairs" when i + 1 < args.Length => options with { Pairs = int.Parse(args[++i]) },
                "--warmup" when i + 1 < args.Length => options with { WarmupSeconds = int.Parse(args[++i]) },
                _ => throw new ArgumentException($"unknown option '{args[i]}'; use --seconds N, --size-mib N, --nbdkit-only, --setup TEXT, --only TEXT, --pairs N, --warmup N"),
            };
        }
        return options;
    }
}
