using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;

namespace ActorStore.Nbd.Bench;

/// <summary>
/// The reference: <c>nbdkit file</c> on a sparse file on the same disk as the node's data, on a free port,
/// in the foreground with <c>--exit-with-parent</c> and killed by PID on dispose.
/// </summary>
public sealed class NbdkitServer : IAsyncDisposable
{
    private readonly RunningTool _process;

    private NbdkitServer(RunningTool process, int port)
    {
        _process = process;
        Uri = $"nbd://127.0.0.1:{port}/";
    }

    public string Uri { get; }

    /// <summary>The CPU nbdkit uses.</summary>
    public CpuClock Cpu => new([_process.Process.Id]);

    public static async Task<NbdkitServer> StartAsync(string file, long sizeMiB)
    {
        using (var f = File.Create(file)) f.SetLength(sizeMiB << 20);
        var port = FreePort.Next();
        var server = new NbdkitServer(Tool.Start("nbdkit", ["-f", "--exit-with-parent", "-i", "127.0.0.1", "-p", port.ToString(), "file", file]), port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await Tool.RunAsync("nbdinfo", ["--size", server.Uri], timeout: TimeSpan.FromSeconds(10))).Succeeded)
        {
            if (server._process.HasExited || DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"nbdkit did not start serving: {server._process.StdErr}");
            }
            await Task.Delay(100); // poll interval of a deadline-bound wait for the listener
        }
        return server;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
