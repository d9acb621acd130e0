using ActorStore.Tests.Shared;
namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// A throwaway PostgreSQL cluster (ENVIRONMENT.md recipe): initdb into a temp directory owned by the
/// postgres user, started on a free port with fsync off, stopped (and its postmaster killed by PID if
/// need be) on dispose. About 3 s to start.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private PostgresServer(string bin, string dataDir, int port)
    {
        Bin = bin;
        DataDir = dataDir;
        Port = port;
    }

    public string Bin { get; }

    public string DataDir { get; }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBin();
        var dir = RepoPaths.NewTempDirectory("pg");
        // data/test-tmp is root's; the postgres user must be able to reach its own directory.
        foreach (var d in new[] { Path.Combine(RepoPaths.Root, "data"), Path.Combine(RepoPaths.Root, "data", "test-tmp") })
            File.SetUnixFileMode(d, File.GetUnixFileMode(d) | UnixFileMode.OtherExecute);
        (await Tool.RunAsync("chown", ["postgres", dir], timeout: Timeout)).EnsureSuccess();
        var server = new PostgresServer(bin, dir, FreePort.Next());
        try
        {
            await server.AsPostgres($"'{bin}/initdb' -D '{dir}' -A trust -U postgres --no-sync");
            await server.AsPostgres(
                $"'{bin}/pg_ctl' -D '{dir}' -l '{dir}/log' -w -t 50 -o \"-c listen_addresses=127.0.0.1 -p {server.Port} -c unix_socket_directories={dir} -c fsync=off\" start");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDir, "postmaster.pid")))
                await AsPostgres($"'{Bin}/pg_ctl' -D '{DataDir}' -m immediate -w -t 20 stop");
        }
        catch (Exception ex) when (ex is ToolFailedException or TimeoutException)
        {
            KillPostmaster();
        }
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: data/test-tmp is ignored by git.
        }
    }

    private void KillPostmaster()
    {
        var pidFile = Path.Combine(DataDir, "postmaster.pid");
        if (!File.Exists(pidFile)) return;
        if (int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    private async Task AsPostgres(string command) =>
        (await Tool.RunAsync("su", ["postgres", "-c", command], timeout: Timeout)).EnsureSuccess();

    private static string FindBin()
    {
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        return bin ?? throw new ToolMissingException("initdb", "postgresql");
    }
}
