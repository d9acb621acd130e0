using System.Web;

namespace ActorStore.Backup.Targets;

/// <summary>
/// Where a backup target is, as an operator writes it: <c>dir:///var/backups</c> (or a plain absolute path, a local
/// disk or an NFS mount) or <c>s3://bucket/prefix?endpoint=http://host:port&amp;region=us-east-1</c>. The address never
/// holds credentials; an S3 target takes them separately and they are never printed.
/// </summary>
public sealed record TargetAddress(string Scheme, string Path, string Bucket, string? Endpoint, string Region)
{
    public static bool TryParse(string text, out TargetAddress? address, out string why)
    {
        address = null;
        why = "";
        text = text.Trim();
        if (text.StartsWith('/')) text = "dir://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            why = $"'{text}' is not a backup target; write dir:///path or s3://bucket/prefix?endpoint=URL&region=REGION";
            return false;
        }
        if (uri.UserInfo.Length > 0)
        {
            why = "put the credentials of a backup target in its secret (access key and secret key), not in its address";
            return false;
        }
        var query = HttpUtility.ParseQueryString(uri.Query);
        switch (uri.Scheme)
        {
            case "dir" or "file" when uri.Host.Length == 0 && uri.AbsolutePath.Length > 1:
                address = new TargetAddress("dir", Uri.UnescapeDataString(uri.AbsolutePath), "", null, "");
                return true;
            case "s3" when uri.Host.Length > 0:
                var endpoint = query["endpoint"];
                if (endpoint is not null && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
                {
                    why = $"the endpoint '{endpoint}' of the backup target is not a URL (write http://host:port)";
                    return false;
                }
                address = new TargetAddress("s3", uri.AbsolutePath.Trim('/'), uri.Host, endpoint, query["region"] ?? "us-east-1");
                return true;
            default:
                why = $"'{text}' is not a backup target; write dir:///path or s3://bucket/prefix?endpoint=URL&region=REGION";
                return false;
        }
    }

    /// <summary>Opens the target; an S3 target needs <paramref name="accessKey"/> and <paramref name="secretKey"/>.</summary>
    public IBackupTarget Open(string? accessKey = null, string? secretKey = null) => Scheme switch
    {
        "dir" => new DirectoryTarget(Path),
        _ when accessKey is { Length: > 0 } && secretKey is { Length: > 0 } => new S3Target(Bucket, Path, Endpoint, Region, accessKey, secretKey),
        _ => throw new BackupTargetException($"the backup target {this} needs an access key and a secret key"),
    };

    public override string ToString() => Scheme == "dir"
        ? $"dir://{Path}"
        : $"s3://{Bucket}/{Path}" + (Endpoint is null ? "" : $"?endpoint={Endpoint}&region={Region}");
}
