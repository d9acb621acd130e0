namespace ActorStore.Nbd.Bench;

/// <summary>
/// CPU time used by a set of processes (user + system, from <c>/proc/PID/stat</c>), so a run can report the
/// server's CPU per request: steadier than IOPS on a shared machine, and what a replicated write really costs.
/// </summary>
public sealed class CpuClock(IReadOnlyList<int> pids)
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on

    /// <summary>Seconds of CPU the processes have used so far.</summary>
    public double Seconds() => pids.Sum(Of);

    private static double Of(int pid)
    {
        // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime is 14th, stime 15th.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond;
    }
}
