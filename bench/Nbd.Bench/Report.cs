using System.Text;

namespace ActorStore.Nbd.Bench;

/// <summary>
/// The table: median IOPS and MB/s for the node and for nbdkit, and the ratio node / nbdkit: the median
/// of the paired ratios (each node run ÷ the nbdkit run right after it), so drift between pairs cancels; and each
/// server's CPU microseconds per request (all node processes together).
/// </summary>
public static class Report
{
    public sealed record Row(string Config, Workload Workload, Fio.Result? Node, Fio.Result Nbdkit, double? Ratio);

    /// <summary>A row from alternating runs: <paramref name="node"/>[i] was measured just before <paramref name="nbdkit"/>[i].</summary>
    public static Row Paired(string config, Workload workload, IReadOnlyList<Fio.Result> node, IReadOnlyList<Fio.Result> nbdkit) =>
        new(config, workload, MedianOf(node), MedianOf(nbdkit),
            Median(node.Zip(nbdkit, (a, b) => b.Iops > 0 ? a.Iops / b.Iops : 0).ToList()));

    public static Fio.Result MedianOf(IReadOnlyList<Fio.Result> runs) =>
        new(Median(runs.Select(r => r.Iops).ToList()), Median(runs.Select(r => r.MBps).ToList()), runs.All(r => r.CpuMicrosPerOp is not null) ? Median(runs.Select(r => r.CpuMicrosPerOp!.Value).ToList()) : null);

    public static string Format(Row r) =>
        $"{r.Config,-26} {r.Workload.Name,-18} {Cell(r.Node?.Iops),10} {Cell(r.Node?.MBps),9} {Cell(r.Nbdkit.Iops),10} {Cell(r.Nbdkit.MBps),9} {Cell(r.Node?.CpuMicrosPerOp),9} {Cell(r.Nbdkit.CpuMicrosPerOp),9} {(r.Ratio is { } x ? x.ToString("0.00") : "-"),7}";

    public static string Table(IEnumerable<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine($"{"config",-26} {"workload",-18} {"node IOPS",10} {"node MB/s",9} {"kit IOPS",10} {"kit MB/s",9} {"node µs",9} {"kit µs",9} {"ratio",7}");
        foreach (var row in rows) text.AppendLine(Format(row));
        return text.ToString();
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static string Cell(double? value) => value is null ? "-" : value.Value.ToString("0");
}
