namespace ActorStore.Blocks.Bench;

internal sealed record BenchOptions(string Dir, int SizeMiB, int Threads, int Runs, double Seconds, string? Only = null, int[]? Layers = null)
{
    public static BenchOptions? Parse(string[] args)
    {
        var o = new BenchOptions("data/bench", 1024, 4, 5, 1.0);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--dir" when value is not null: o = o with { Dir = value }; i++; break;
                case "--size-mib" when int.TryParse(value, out var v): o = o with { SizeMiB = v }; i++; break;
                case "--threads" when int.TryParse(value, out var v): o = o with { Threads = v }; i++; break;
                case "--runs" when int.TryParse(value, out var v): o = o with { Runs = v }; i++; break;
                case "--only" when value is not null: o = o with { Only = value }; i++; break;
                case "--layers" when value is not null: o = o with { Layers = value.Split(',').Select(int.Parse).ToArray() }; i++; break;
                case "--seconds" when double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var v): o = o with { Seconds = v }; i++; break;
                default:
                    Console.Error.WriteLine($"unknown or incomplete option '{args[i]}'. Options: --dir DIR --size-mib N --threads N --runs N --seconds S --only WORKLOAD --layers 1,20");
                    return null;
            }
        }
        return o;
    }
}
