namespace ActorStore.Cli;

/// <summary>The gateway address given by --node or PBM_NODE: HOST, HOST:PORT or http(s)://HOST:PORT.</summary>
public sealed record NodeAddress(Uri BaseAddress)
{
    public const int DefaultPort = 9500;
    public const string Default = "127.0.0.1:9500";
    public const string EnvironmentVariable = "PBM_NODE";

    /// <summary>HOST:PORT, as messages name the node.</summary>
    public string Display => $"{BaseAddress.Host}:{BaseAddress.Port}";

    public override string ToString() => Display;

    public static bool TryParse(string? text, out NodeAddress address, out string error)
    {
        address = new NodeAddress(new Uri($"http://{Default}/"));
        error = "";
        var input = text?.Trim() ?? "";
        var hasScheme = input.Contains("://", StringComparison.Ordinal);
        if (input.Length == 0
            || !Uri.TryCreate(hasScheme ? input : "http://" + input, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
            || uri.Host.Length == 0
            || uri.Query.Length > 0)
        {
            error = $"invalid node address '{input}': expected HOST:PORT or http://HOST:PORT";
            return false;
        }

        var builder = new UriBuilder(uri) { Path = uri.AbsolutePath.TrimEnd('/') + "/" };
        if (!hasScheme && uri.IsDefaultPort && !input.EndsWith(":80", StringComparison.Ordinal)) builder.Port = DefaultPort;
        address = new NodeAddress(builder.Uri);
        return true;
    }
}
