using System.Diagnostics.Metrics;

namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>Counters of the NBD frontend (meter "ActorStore.Volume.Nbd"). Untagged adds allocate nothing.</summary>
internal static class NbdMetrics
{
    public const string MeterName = "ActorStore.Volume.Nbd";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Connections = Meter.CreateCounter<long>("nbd.connections", description: "Connections accepted");
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("nbd.requests", description: "Requests received");
    public static readonly Counter<long> Errors = Meter.CreateCounter<long>("nbd.errors", description: "Requests answered with an error");
    public static readonly Counter<long> BytesRead = Meter.CreateCounter<long>("nbd.bytes_read", "By", "Bytes returned by READ");
    public static readonly Counter<long> BytesWritten = Meter.CreateCounter<long>("nbd.bytes_written", "By", "Bytes accepted by WRITE");
}
