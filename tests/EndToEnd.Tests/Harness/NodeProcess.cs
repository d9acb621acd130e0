using System.Diagnostics;
using ActorStore.Tests.Shared;

namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// One real <c>actorstore-node</c> process on its own data directory. It can be stopped cleanly (SIGTERM),
/// crashed (SIGKILL) and started again on the same directory and ports, as an operator or a power
/// failure would. Everything it prints is kept (<see cref="Output"/>) for the failure report.
/// Dispose always kills it: a test never leaves a node behind.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly NodeOptions _options;
    private Process? _process;
    private int? _remotePort;
    private int? _apiPort;
    private int? _nbdPort;
    private int? _dataPort;

    private NodeProcess(NodeOptions options, string dataDir)
    {
        _options = options;
        DataDir = dataDir;
    }

    public string DataDir { get; }

    public OutputBuffer Output { get; } = new();

    /// <summary>The ready line of the current incarnation.</summary>
    public ReadyLine Ready { get; private set; } = null!;

    /// <summary>A client for the current incarnation's REST gateway.</summary>
    public Gateway Api { get; private set; } = null!;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The current incarnation's process id (to find its sockets, signal it).</summary>
    public int Pid => _process?.Id ?? throw new InvalidOperationException("not started");

    public string NbdUri(string export) => Ready.NbdUri(export);

    public static async Task<NodeProcess> StartAsync(NodeOptions? options = null, string? dataDir = null)
    {
        var node = new NodeProcess(options ?? new NodeOptions(), dataDir ?? RepoPaths.NewTempDirectory("node"));
        try
        {
            await node.StartAgainAsync();
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    /// <summary>Starts the node again on the same data directory and the ports it bound the first time.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning) throw new InvalidOperationException("the node is still running; stop or kill it first");
        if (!File.Exists(RepoPaths.NodeDll))
            throw new InvalidOperationException($"{RepoPaths.NodeDll} is missing: build the solution (dotnet build -c Release) first.");

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = DataDir,
        };
        foreach (var arg in Arguments()) info.ArgumentList.Add(arg);
        Output.Add("harness", $"starting: dotnet {string.Join(' ', info.ArgumentList)}");

        var ready = new TaskCompletionSource<ReadyLine>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Output.Add("out", e.Data);
            try
            {
                if (ReadyLine.TryParse(e.Data, out var line)) ready.TrySetResult(line!);
            }
            catch (FormatException ex)
            {
                ready.TrySetException(ex);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) Output.Add("err", e.Data);
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"the node exited with code {SafeExitCode(process)} before it was ready"));
        Directory.CreateDirectory(DataDir); // the node's working directory
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        ReadyLine readyLine;
        try
        {
            readyLine = await ready.Task.WaitAsync(_options.ReadyTimeout);
        }
        catch (Exception ex)
        {
            throw new NodeFailedException($"node {_options.NodeId} did not become ready ({ex.Message})", Output, ex);
        }
        Ready = readyLine;
        _remotePort ??= new Uri(readyLine.Remote.Replace("akka.tcp://", "tcp://", StringComparison.Ordinal)).Port;
        _apiPort ??= readyLine.Api.Port;
        _nbdPort ??= readyLine.NbdPort;
        _dataPort ??= readyLine.DataPort;
        Api?.Dispose();
        Api = new Gateway(readyLine.Api);
    }

    /// <summary>SIGTERM, then wait for the exit; a clean stop must exit 0.</summary>
    public async Task<int> StopAsync()
    {
        var process = _process ?? throw new InvalidOperationException("not started");
        if (process.HasExited) return process.ExitCode;
        Output.Add("harness", "SIGTERM");
        Signals.Terminate(process.Id);
        using var cts = new CancellationTokenSource(_options.StopTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new NodeFailedException($"node {_options.NodeId} did not exit within {_options.StopTimeout.TotalSeconds} s of SIGTERM", Output);
        }
        Output.Add("harness", $"exited with {process.ExitCode}");
        return process.ExitCode;
    }

    /// <summary>SIGSTOP: the node freezes, sockets open, until <see cref="Continue"/>.</summary>
    public void Freeze()
    {
        Output.Add("harness", "SIGSTOP");
        Signals.Stop(Pid);
    }

    public void Continue()
    {
        Output.Add("harness", "SIGCONT");
        Signals.Continue(Pid);
    }

    /// <summary>SIGUSR1: with actorstore.node.fault-hooks on, the node drops every connection to its data port.</summary>
    public void DropDataConnections()
    {
        Output.Add("harness", "SIGUSR1");
        Signals.User1(Pid);
    }

    /// <summary>SIGKILL (the crash test) and wait until the process is gone.</summary>
    public void Kill()
    {
        var process = _process;
        if (process is null || process.HasExited) return;
        Output.Add("harness", "SIGKILL");
        process.Kill(entireProcessTree: true);
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            throw new NodeFailedException($"node {_options.NodeId} (pid {process.Id}) survived SIGKILL for 30 s", Output);
    }

    public async Task RestartAsync()
    {
        var code = await StopAsync();
        if (code != 0) throw new NodeFailedException($"node {_options.NodeId} exited with {code} after SIGTERM, expected 0", Output);
        await StartAgainAsync();
    }

    public async Task CrashAndRestartAsync()
    {
        Kill();
        await StartAgainAsync();
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Kill();
        }
        finally
        {
            _process?.Dispose();
            _process = null; // disposing twice (an owner and the test both) is harmless
            Api?.Dispose();
            if (Environment.GetEnvironmentVariable("ACTORSTORE_KEEP_TEST_DATA") != "1")
                TryDelete(DataDir);
        }
        return ValueTask.CompletedTask;
    }

    private IEnumerable<string> Arguments()
    {
        yield return RepoPaths.NodeDll;
        yield return "--node-id";
        yield return _options.NodeId;
        yield return "--data-dir";
        yield return DataDir;
        yield return "--host";
        yield return "127.0.0.1";
        // Port 0 the first time (free ports), the same ports afterwards: a restarted node keeps its address.
        yield return "--remote-port";
        yield return (_remotePort ?? 0).ToString();
        yield return "--api-port";
        yield return (_apiPort ?? 0).ToString();
        yield return "--nbd-port";
        yield return (_nbdPort ?? 0).ToString();
        yield return "--data-port";
        yield return (_dataPort ?? 0).ToString();
        foreach (var seed in _options.Seeds)
        {
            yield return "--seed";
            yield return seed;
        }
        if (_options.Journal is not null)
        {
            yield return "--journal";
            yield return _options.Journal;
        }
        if (_options.JournalConnection is not null)
        {
            yield return "--journal-connection";
            yield return _options.JournalConnection;
        }
        if (_options.ForceSocket) yield return "--force-socket";
        foreach (var arg in _options.ExtraArgs) yield return arg;
    }

    private static string SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode.ToString();
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover under data/test-tmp is harmless (ignored by git) and must not hide the test's result.
        }
        catch (UnauthorizedAccessException)
        {
            // Same: cleanup is best effort.
        }
    }
}
