using ActorStore.Tests.Shared;
namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// <c>qemu-io -f raw URI -c CMD...</c>: qemu's block layer as a client, including its pattern writes and
/// verified reads (<c>write -P 0xab OFF LEN</c>, <c>read -P 0xab OFF LEN</c>).
/// </summary>
public static class QemuIo
{
    /// <summary>Runs the commands and fails the test on a non-zero exit or any failed verification.</summary>
    public static async Task<ToolResult> RunAsync(string uri, params string[] commands)
    {
        var args = new List<string> { "-f", "raw", uri };
        foreach (var command in commands) args.AddRange(["-c", command]);
        var result = (await Tool.RunAsync("qemu-io", args, timeout: TimeSpan.FromMinutes(2))).EnsureSuccess();
        // Older qemu-io exits 0 after a failed command; the message is the reliable signal.
        if (result.StdOut.Contains("verification failed", StringComparison.OrdinalIgnoreCase) || result.StdErr.Length > 0 && result.StdErr.Contains("error", StringComparison.OrdinalIgnoreCase))
            throw new ToolFailedException(result);
        return result;
    }
}
