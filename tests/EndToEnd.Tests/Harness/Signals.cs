using System.Runtime.InteropServices;

namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// SIGTERM for a process this harness started. .NET's Process.Kill only sends SIGKILL, and the clean-stop
/// path (drain NBD, exit 0) is only reachable through SIGTERM.
/// </summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    public static void Terminate(int pid)
    {
        if (kill(pid, SigTerm) != 0)
            throw new InvalidOperationException($"kill({pid}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
