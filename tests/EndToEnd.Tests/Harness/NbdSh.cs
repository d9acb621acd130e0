using ActorStore.Tests.Shared;
namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// Runs Python against an export with <c>nbdsh</c> (libnbd's shell: <c>h</c> is the connected handle, <c>nbd</c>
/// the module). Scripts print what they found and the test asserts on it, so a failure shows the output.
/// </summary>
public static class NbdSh
{
    public static Task<ToolResult> RunAsync(string uri, string python, TimeSpan? timeout = null) =>
        Tool.RunAsync("nbdsh", ["-u", uri, "-c", python], timeout: timeout ?? TimeSpan.FromMinutes(1), environment: Tool.DebianPythonFirst);

    /// <summary>Without <c>-u</c>: the script makes its own handles (several connections, bad exports).</summary>
    public static Task<ToolResult> RunUnconnectedAsync(string python, TimeSpan? timeout = null) =>
        Tool.RunAsync("nbdsh", ["-n", "-c", python], timeout: timeout ?? TimeSpan.FromMinutes(1), environment: Tool.DebianPythonFirst);
}
