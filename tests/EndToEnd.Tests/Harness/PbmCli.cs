using ActorStore.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>Runs the built pbm against a node's gateway, as an operator would, and writes what it printed into the test's output.</summary>
public static class PbmCli
{
    /// <param name="ok">True: the command must succeed; false: it must fail (exit code not 0).</param>
    public static async Task<ToolResult> RunAsync(NodeProcess node, ITestOutputHelper output, bool ok, params string[] args)
    {
        if (!File.Exists(RepoPaths.PbmDll)) throw new InvalidOperationException($"{RepoPaths.PbmDll} is missing: build the solution first.");
        var result = await Tool.RunAsync("dotnet", [RepoPaths.PbmDll, "--node", node.Ready.ApiHostPort, .. args], timeout: TimeSpan.FromMinutes(3));
        output.WriteLine(result.ToString());
        if (ok) result.EnsureSuccess();
        else Assert.NotEqual(0, result.ExitCode);
        return result;
    }
}
