namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// The one line the node prints when it serves:
/// <c>actorstore-node ready node=ID remote=akka.tcp://actorstore@127.0.0.1:P api=http://127.0.0.1:P nbd=127.0.0.1:P data-port=127.0.0.1:P data=DIR</c>.
/// Parsed as key=value tokens so new keys can be added without breaking the tests.
/// </summary>
public sealed record ReadyLine(string NodeId, string Remote, Uri Api, string NbdHost, int NbdPort, string DataDir, int DataPort)
{
    public const string Prefix = "actorstore-node ready ";

    /// <summary>host:port of the REST gateway, the form pbm's --node takes.</summary>
    public string ApiHostPort => $"{Api.Host}:{Api.Port}";

    public static bool TryParse(string line, out ReadyLine? ready)
    {
        ready = null;
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var token in line[Prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = token.IndexOf('=');
            if (eq > 0) values[token[..eq]] = token[(eq + 1)..];
        }
        string Get(string key) => values.TryGetValue(key, out var v)
            ? v
            : throw new FormatException($"the ready line has no '{key}=': {line}");
        var nbd = Get("nbd");
        var colon = nbd.LastIndexOf(':');
        if (colon <= 0) throw new FormatException($"nbd= is not HOST:PORT: {line}");
        var data = Get("data-port");
        ready = new ReadyLine(Get("node"), Get("remote"), new Uri(Get("api")), nbd[..colon], int.Parse(nbd[(colon + 1)..]), Get("data"),
            int.Parse(data[(data.LastIndexOf(':') + 1)..]));
        return true;
    }

    /// <summary>The NBD URI libnbd tools, fio and qemu take for an export.</summary>
    public string NbdUri(string export) => $"nbd://{NbdHost}:{NbdPort}/{export}";
}
