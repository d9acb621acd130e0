using System.Net;
using System.Net.Sockets;

namespace ActorStore.Tests.Shared;

/// <summary>
/// A real S3-compatible server for backup tests: s3rver (npm, installed by test.sh under data/tools) on 127.0.0.1,
/// a free port and a fresh directory, with one bucket. Disposing kills it by PID.
/// </summary>
public sealed class S3Server : IAsyncDisposable
{
    public const string Key = "S3RVER";
    public const string Install = "npm install --prefix data/tools s3rver@3.7.1";

    private readonly RunningTool _process;
    private readonly TempDirectory _dir;

    private S3Server(RunningTool process, TempDirectory dir, string endpoint, string bucket)
    {
        _process = process;
        _dir = dir;
        Endpoint = endpoint;
        Bucket = bucket;
    }

    public string Endpoint { get; }

    public string Bucket { get; }

    /// <summary>Where s3rver keeps the bucket's objects: a test may damage one there.</summary>
    public string Directory => _dir.Path;

    public static string Executable => Path.Combine(RepoPaths.Root, "data", "tools", "node_modules", ".bin", "s3rver");

    public static async Task<S3Server> StartAsync(string bucket = "backups")
    {
        if (!File.Exists(Executable)) throw new ToolMissingException("s3rver", "s3rver", Install);
        var dir = new TempDirectory();
        var port = FreePort();
        var process = Tool.Start(Executable, ["-d", dir.Path, "-a", "127.0.0.1", "-p", port.ToString(), "--configure-bucket", bucket, "--silent"]);
        var endpoint = $"http://127.0.0.1:{port}";
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var answer = await http.GetAsync($"{endpoint}/{bucket}");
                if (answer.StatusCode == HttpStatusCode.OK) return new S3Server(process, dir, endpoint, bucket);
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await process.DisposeAsync();
                dir.Dispose();
                throw new InvalidOperationException($"s3rver did not start on {endpoint}: {process.StdErr}");
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _dir.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
