using System.Text;

namespace ActorStore.Nbd.Bench;

/// <summary>The table: IOPS and MB/s for the node and for nbdkit, and their ratio (node / nbdkit).</summary>
public static class Report
{
    public sealed record Row(string Config, Workload Workload, Fio.Result? Node, Fio.Result Nbdkit);

    public static Fio.Result Mean(Fio.Result a, Fio.Result b) => new((a.Iops + b.Iops) / 2, (a.MBps + b.MBps) / 2);

    public static string Format(Row r) =>
        $"{r.Config,-26} {r.Workload.Name,-18} {Cell(r.Node?.Iops),10} {Cell(r.Node?.MBps),9} {Cell(r.Nbdkit.Iops),10} {Cell(r.Nbdkit.MBps),9} {Ratio(r),7}";

    public static string Table(IEnumerable<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine($"{"config",-26} {"workload",-18} {"node IOPS",10} {"node MB/s",9} {"kit IOPS",10} {"kit MB/s",9} {"ratio",7}");
        foreach (var row in rows) text.AppendLine(Format(row));
        return text.ToString();
    }

    private static string Cell(double? value) => value is null ? "-" : value.Value.ToString("0");

    private static string Ratio(Row r) => r.Node is null || r.Nbdkit.Iops <= 0 ? "-" : (r.Node.Iops / r.Nbdkit.Iops).ToString("0.00");
}
