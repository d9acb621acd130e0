namespace ActorStore.Nbd.Bench;

/// <summary>Command-line options: <c>--seconds N</c> per fio run, <c>--size-mib N</c> per target, <c>--nbdkit-only</c>.</summary>
public sealed record BenchOptions(int Seconds, long SizeMiB, bool NbdkitOnly)
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
                _ => throw new ArgumentException($"unknown option '{args[i]}'; use --seconds N, --size-mib N, --nbdkit-only"),
            };
        }
        return options;
    }
}
