using System.ComponentModel;
using System.Diagnostics;

namespace ActorStore.Volume.Tests.Nbd;

/// <summary>Runs a real NBD client with a timeout and captures its output. A missing tool fails the test, saying how to install it.</summary>
public static class Tool
{
    private const string Install = "apt-get install -y libnbd-bin python3-libnbd nbdkit qemu-utils fio nbd-client";

    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(
        string file, IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // nbdsh needs Debian's python3 (the one with the nbd module), which /usr/bin has first.
        info.Environment["PATH"] = "/usr/bin:/usr/sbin:/bin:/sbin:" + Environment.GetEnvironmentVariable("PATH");
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"'{file}' is not installed ({ex.Message}); install it with: {Install}", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
                process.StandardInput.Close();
            }

            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time; stderr: {await stderr}");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
    }

    public static async Task<string> RunOkAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null)
    {
        var (exit, stdout, stderr) = await RunAsync(file, args, timeout, stdin);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {exit}\nstdout: {stdout}\nstderr: {stderr}");
        }

        return stdout;
    }
}
