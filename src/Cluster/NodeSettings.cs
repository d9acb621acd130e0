using ActorStore.Volume;
using ActorStore.Volume.Frontend.Nbd;
using Akka.Configuration;

namespace ActorStore.Cluster;

/// <summary>
/// The node's own settings (<c>actorstore.node</c>, <c>actorstore.scheduling</c>): identity, data
/// directory, addresses and ports, NBD limits, seed disks, journal. <see cref="Create"/> fails naming the bad key.
/// </summary>
public sealed record NodeSettings(
    string NodeId,
    string DataDir,
    string Host,
    int RemotePort,
    string ApiHost,
    int ApiPort,
    string? ApiToken,
    string NbdHost,
    int NbdPort,
    NbdServerOptions NbdLimits,
    string DataHost,
    int DataPort,
    IReadOnlyList<string> Seeds,
    IReadOnlyList<NodeSettings.SeedDisk> Disks,
    string Journal,
    string JournalConnection,
    int OverProvisioningPercent,
    int MinimalAvailablePercent,
    TimeSpan AskTimeout,
    bool FaultHooks = false)
{
    public sealed record SeedDisk(string Name, string Path);

    /// <summary>Set once the node has bound its ports (port 0 picks one); read by reports.</summary>
    public NodeEndpoints Endpoints { get; } = new();

    public string RemoteAddress => Endpoints.Remote ?? $"akka.tcp://actorstore@{Host}:{RemotePort}";
    public string? ApiEndpoint => Endpoints.Api;
    public string? NbdEndpoint => Endpoints.Nbd;

    public static NodeSettings Create(Config config)
    {
        var dataDir = Path.GetFullPath(Settings.String(config, "actorstore.node.data-dir"));
        var id = Settings.String(config, "actorstore.node.id");
        if (!Blocks.Names.IsValid(id)) throw Settings.Bad("actorstore.node.id", $"'{id}' must match ^[a-z0-9][a-z0-9-]{{0,62}}$");
        // disks { NAME = PATH }, PATH relative to the data directory unless absolute.
        var disks = config.GetConfig("actorstore.node.disks") is { IsEmpty: false } section
            ? section.AsEnumerable().Select(p =>
            {
                var path = p.Value.GetString();
                if (!Blocks.Names.IsValid(p.Key)) throw Settings.Bad($"actorstore.node.disks.{p.Key}", "is not a valid disk name");
                if (string.IsNullOrWhiteSpace(path)) throw Settings.Bad($"actorstore.node.disks.{p.Key}", "must be a directory path");
                return new SeedDisk(p.Key, Path.GetFullPath(Path.Combine(dataDir, path)));
            }).OrderBy(d => d.Name, StringComparer.Ordinal).ToArray()
            : [];
        var journal = Settings.String(config, "actorstore.node.journal");
        if (journal is not ("sqlite" or "postgres")) throw Settings.Bad("actorstore.node.journal", $"'{journal}' must be sqlite or postgres");
        var connection = config.GetString("actorstore.node.journal-connection", "");
        if (journal == "postgres" && string.IsNullOrWhiteSpace(connection)) throw Settings.Bad("actorstore.node.journal-connection", "is required for the postgres journal");
        if (string.IsNullOrWhiteSpace(connection)) connection = $"Data Source={Path.Combine(dataDir, "journal.db")}";
        var host = Settings.String(config, "actorstore.node.host");
        return new NodeSettings(
            id, dataDir, host,
            Settings.Port(config, "actorstore.node.remote-port"),
            Settings.String(config, "actorstore.node.api-host"),
            Settings.Port(config, "actorstore.node.api-port"),
            config.GetString("actorstore.api.token", "") is { Length: > 0 } token ? token : null,
            Settings.String(config, "actorstore.node.nbd-host"),
            Settings.Port(config, "actorstore.node.nbd-port"),
            new NbdServerOptions
            {
                MaxConnections = (int)Settings.Long(config, "actorstore.node.nbd-max-connections", 1, 65536),
                MaxHandshakes = (int)Settings.Long(config, "actorstore.node.nbd-max-handshakes", 1, 65536),
                MaxInFlightPerConnection = (int)Settings.Long(config, "actorstore.node.nbd-max-in-flight-requests", 1, 4096),
                // At least one request of the largest size the server advertises (32 MiB).
                MaxInFlightBytesPerConnection = Settings.Bytes(config, "actorstore.node.nbd-max-in-flight-bytes", 32L << 20, 16L << 30),
                LargeReadsAtOnce = (int)Settings.Long(config, "actorstore.node.nbd-large-reads-at-once", 1, 4096),
                HandshakeTimeout = Settings.Duration(config, "actorstore.node.nbd-handshake-timeout"),
                DrainTimeout = Settings.Duration(config, "actorstore.node.nbd-drain-timeout"),
            },
            host,
            Settings.Port(config, "actorstore.node.data-port"),
            SeedNodes(config),
            disks, journal, connection,
            (int)Settings.Long(config, "actorstore.scheduling.over-provisioning-percent", 1, 10000),
            (int)Settings.Long(config, "actorstore.scheduling.minimal-available-percent", 0, 99),
            Settings.Duration(config, "actorstore.node.ask-timeout"),
            config.GetBoolean("actorstore.node.fault-hooks", false));
    }

    private static string[] SeedNodes(Config config)
    {
        var seeds = config.GetStringList("actorstore.node.seed-nodes")?.ToArray() ?? [];
        foreach (var seed in seeds)
            if (Hosting.KnownMembers.TryParse(seed) is null)
                throw Settings.Bad("actorstore.node.seed-nodes", $"has '{seed}', which is not a node's remote address such as akka.tcp://actorstore@HOST:PORT (the remote= of its ready line)");
        return seeds;
    }
}

/// <summary>The addresses a node bound at start, for reports and the ready line.</summary>
public sealed class NodeEndpoints
{
    public string? Remote { get; set; }
    public string? Api { get; set; }
    public string? Nbd { get; set; }
    public string? Data { get; set; }
}
