using System.Diagnostics;
using System.Text;

namespace ActorStore.Tests.Shared;

/// <summary>
/// Runs the real NBD clients and system tools. Every run has a timeout after which the process (and its
/// children, by PID) is killed, so a hung client fails its test instead of hanging the suite.
/// </summary>
public static class Tool
{
    /// <summary>nbdsh needs Debian's python3 (with the nbd module) first on PATH (ENVIRONMENT.md).</summary>
    public static readonly IReadOnlyDictionary<string, string> DebianPythonFirst =
        new Dictionary<string, string> { ["PATH"] = "/usr/bin:" + Environment.GetEnvironmentVariable("PATH") };

    private static readonly Dictionary<string, string> Packages = new(StringComparer.Ordinal)
    {
        ["nbdinfo"] = "libnbd-bin",
        ["nbdcopy"] = "libnbd-bin",
        ["nbdfuse"] = "libnbd-bin",
        ["nbdsh"] = "libnbd-bin python3-libnbd",
        ["qemu-io"] = "qemu-utils",
        ["qemu-img"] = "qemu-utils",
        ["fio"] = "fio",
        ["nbdkit"] = "nbdkit",
        ["nbd-client"] = "nbd-client",
        ["fusermount3"] = "fuse3",
        ["mkfs.ext4"] = "e2fsprogs",
        ["e2fsck"] = "e2fsprogs",
        ["losetup"] = "util-linux",
        ["fsfreeze"] = "util-linux",
        ["mount"] = "mount",
        ["umount"] = "mount",
        ["ss"] = "iproute2",
        ["initdb"] = "postgresql",
        ["pg_ctl"] = "postgresql",
    };

    public static async Task<ToolResult> RunAsync(
        string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var running = Start(file, args, environment, stdin is not null);
        if (stdin is not null)
        {
            await running.Process.StandardInput.WriteAsync(stdin);
            running.Process.StandardInput.Close();
        }
        return await running.WaitAsync(timeout ?? TimeSpan.FromMinutes(2));
    }

    public static Task<ToolResult> RunAsync(string file, params string[] args) => RunAsync(file, args, stdin: null);

    /// <summary>Runs a client that must succeed (Debian's python first, for nbdsh) and returns what it printed.</summary>
    public static async Task<string> RunOkAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null) =>
        (await RunAsync(file, args, stdin, timeout, DebianPythonFirst)).EnsureSuccess().StdOut;

    /// <summary>Starts a long-running tool (nbdfuse, a writer to crash under); dispose kills it by PID.</summary>
    public static RunningTool Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, bool redirectStdin = false)
    {
        var path = Resolve(file, environment);
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        if (environment is not null)
            foreach (var (key, value) in environment) info.Environment[key] = value;
        var commandLine = $"{file} {string.Join(' ', info.ArgumentList.Select(Quote))}";
        var process = new Process { StartInfo = info };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new RunningTool(commandLine, process, stdout, stderr);
    }

    /// <summary>The absolute path of a tool, or a failing test that says which package to install.</summary>
    public static string Resolve(string file, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (file.Contains('/')) return File.Exists(file) ? file : throw Missing(file);
        var pathVar = environment?.GetValueOrDefault("PATH") ?? Environment.GetEnvironmentVariable("PATH") ?? "";
        // Root's sbin tools (losetup, mkfs.ext4, e2fsck) may be missing from a test runner's PATH.
        foreach (var dir in pathVar.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin", "/usr/bin"]))
        {
            var candidate = Path.Combine(dir, file);
            if (File.Exists(candidate)) return candidate;
        }
        throw Missing(file);
    }

    private static ToolMissingException Missing(string file) =>
        new(file, Packages.GetValueOrDefault(Path.GetFileName(file), "the package that provides it"));

    private static string Quote(string arg) => arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"') ? arg : $"'{arg}'";
}
