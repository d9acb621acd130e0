using System.Text.Json;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Pbm;

/// <summary>The real <c>pbm</c> against a real node, as an operator or a script would use it (DESIGN §8).</summary>
[Collection(SharedNodeCollection.Name)]
public sealed class PbmWalkthroughTests(SharedNodeFixture fixture, ITestOutputHelper output) : NodeTest(output)
{
    private readonly NodeProcess _node = fixture.Node;

    public override Task InitializeAsync()
    {
        Watch(_node);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Create_list_show_and_snapshot_a_volume_then_fail_cleanly_on_an_unknown_one()
    {
        var name = TestData.VolumeName("pbm");
        await Pbm("volume", "create", name, "--size", "64MiB", "--replicas", "2");
        Assert.Contains(name, (await Pbm("volume", "list")).StdOut);

        var shown = JsonSerializer.Deserialize<VolumeInfo>((await Pbm("volume", "show", name, "--json")).StdOut, Gateway.Json);
        Assert.NotNull(shown);
        Assert.Equal(name, shown!.Name);
        Assert.Equal(64 * TestData.MiB, shown.Size);
        Assert.Equal(2, shown.ReplicaCount);

        await Pbm("snapshot", "create", name, "snap-one");
        Assert.Contains("snap-one", (await Pbm("snapshot", "list", name)).StdOut);
        Assert.Contains(await _node.Api.ListSnapshotsAsync(name), s => s.Name == "snap-one");

        var unknown = await Tool.RunAsync("dotnet", [RepoPaths.PbmDll, "--node", _node.Ready.ApiHostPort, "volume", "show", "no-such-volume-e2e"], timeout: TimeSpan.FromMinutes(1));
        Out.WriteLine(unknown.ToString());
        Assert.NotEqual(0, unknown.ExitCode);
        var lines = unknown.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"an error must be one clear line on stderr, got:\n{unknown.StdErr}");
    }

    private async Task<ToolResult> Pbm(params string[] args)
    {
        if (!File.Exists(RepoPaths.PbmDll)) throw new InvalidOperationException($"{RepoPaths.PbmDll} is missing: build the solution first.");
        var result = await Tool.RunAsync("dotnet", [RepoPaths.PbmDll, "--node", _node.Ready.ApiHostPort, .. args], timeout: TimeSpan.FromMinutes(1));
        Out.WriteLine(result.ToString());
        return result.EnsureSuccess();
    }
}
