using System.Runtime.InteropServices;

namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// SIGTERM for a process this harness started. .NET's Process.Kill only sends SIGKILL, and the clean-stop
/// path (drain NBD, exit 0) is only reachable through SIGTERM.
/// </summary>
internal static partial class Signals
{
    private const int SigUsr1 = 10, SigTerm = 15, SigCont = 18, SigStop = 19;

    public static void Terminate(int pid) => Send(pid, SigTerm, "SIGTERM");

    /// <summary>Freezes the process (as a hung host or a long GC pause would) until <see cref="Continue"/>.</summary>
    public static void Stop(int pid) => Send(pid, SigStop, "SIGSTOP");

    public static void Continue(int pid) => Send(pid, SigCont, "SIGCONT");

    /// <summary>A node started with actorstore.node.fault-hooks = on drops every data connection.</summary>
    public static void User1(int pid) => Send(pid, SigUsr1, "SIGUSR1");

    private static void Send(int pid, int signal, string name)
    {
        if (kill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {name}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
