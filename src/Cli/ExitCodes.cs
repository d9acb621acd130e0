namespace ActorStore.Cli;

/// <summary>What pbm's exit code tells a script.</summary>
public static class ExitCodes
{
    /// <summary>The node did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The node answered with an error (HTTP 4xx/5xx), or an answer pbm cannot read.</summary>
    public const int Refused = 1;

    /// <summary>Bad usage: unknown command, missing or malformed argument. No request was sent.</summary>
    public const int Usage = 2;

    /// <summary>The node could not be reached (refused, unknown host, timed out).</summary>
    public const int Unreachable = 3;

    /// <summary>--wait gave up at its --wait-timeout; the work goes on in the cluster.</summary>
    public const int TimedOut = 4;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
