using System.Text.Json.Nodes;
using Xunit;

namespace ActorStore.Cli.Tests;

/// <summary>Every command sends the right method, route and body, and succeeds on the gateway's answer.</summary>
public sealed class CommandRequestTests
{
    [Theory]
    // cluster
    [InlineData("cluster show", "GET", "/cluster", null)]
    [InlineData("cluster leave node-2", "POST", "/cluster/members/node-2/leave", null)]
    [InlineData("cluster down node-2", "POST", "/cluster/members/node-2/down", null)]
    // volume
    [InlineData("volume create vol-1 --size 1GiB", "POST", "/volumes", """{"name":"vol-1","size":1073741824}""")]
    [InlineData("volume create vol-1 --size 512M --replicas 3", "POST", "/volumes", """{"name":"vol-1","size":536870912,"replicas":3}""")]
    [InlineData("volume list", "GET", "/volumes", null)]
    [InlineData("volume show vol-1", "GET", "/volumes/vol-1", null)]
    [InlineData("volume attach vol-1", "POST", "/volumes/vol-1/attach", "{}")]
    [InlineData("volume attach vol-1 --to node-2", "POST", "/volumes/vol-1/attach", """{"node":"node-2"}""")]
    [InlineData("volume detach vol-1", "POST", "/volumes/vol-1/detach", null)]
    [InlineData("volume expand vol-1 --size 2GiB", "POST", "/volumes/vol-1/expand", """{"size":2147483648}""")]
    [InlineData("volume salvage vol-1", "POST", "/volumes/vol-1/salvage", null)]
    [InlineData("volume delete vol-1", "DELETE", "/volumes/vol-1", null)]
    // snapshot
    [InlineData("snapshot create vol-1", "POST", "/volumes/vol-1/snapshots", "{}")]
    [InlineData("snapshot create vol-1 snap-1", "POST", "/volumes/vol-1/snapshots", """{"name":"snap-1"}""")]
    [InlineData("snapshot list vol-1", "GET", "/volumes/vol-1/snapshots", null)]
    [InlineData("snapshot delete vol-1 snap-1", "DELETE", "/volumes/vol-1/snapshots/snap-1", null)]
    [InlineData("snapshot purge vol-1", "POST", "/volumes/vol-1/purge", null)]
    [InlineData("snapshot revert vol-1 snap-1", "POST", "/volumes/vol-1/revert", """{"snapshot":"snap-1"}""")]
    // node
    [InlineData("node list", "GET", "/nodes", null)]
    [InlineData("node show node-1", "GET", "/nodes/node-1", null)]
    [InlineData("node schedule node-1 off", "POST", "/nodes/node-1/schedule", """{"schedulable":false}""")]
    [InlineData("node schedule node-1 on", "POST", "/nodes/node-1/schedule", """{"schedulable":true}""")]
    [InlineData("node evict node-1", "POST", "/nodes/node-1/evict", null)]
    [InlineData("node disk evict node-1 disk-a", "POST", "/nodes/node-1/disks/disk-a/evict", null)]
    [InlineData("node events node-1", "GET", "/nodes/node-1/events", null)]
    [InlineData("volume events vol-1", "GET", "/volumes/vol-1/events", null)]
    [InlineData("volume rebuilds", "GET", "/rebuilds", null)]
    [InlineData("node disk add node-1 /mnt/ssd1", "POST", "/nodes/node-1/disks", """{"path":"/mnt/ssd1","schedulable":true,"create":false}""")]
    [InlineData("node disk add node-1 /mnt/ssd1 --name ssd-1 --create", "POST", "/nodes/node-1/disks", """{"path":"/mnt/ssd1","name":"ssd-1","schedulable":true,"create":true}""")]
    [InlineData("node disk remove node-1 disk-a", "DELETE", "/nodes/node-1/disks/disk-a", null)]
    [InlineData("node disk schedule node-1 disk-a off", "POST", "/nodes/node-1/disks/disk-a/schedule", """{"schedulable":false}""")]
    public async Task Sends_the_route_and_body(string commandLine, string method, string path, string? body)
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = Canned.Answer;

        var outcome = await Cli.RunAsync($"--node {gateway.Address} {commandLine}");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("", outcome.Err);
        Assert.NotEqual("", outcome.Out);
        var request = Assert.Single(gateway.Requests);
        Assert.Equal(method, request.Method);
        Assert.Equal(path, request.Path);
        if (body is null)
        {
            Assert.Equal("", request.Body);
        }
        else
        {
            Assert.StartsWith("application/json", request.ContentType);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(body), JsonNode.Parse(request.Body)), $"expected {body}, sent {request.Body}");
        }
    }

    [Theory]
    [InlineData("volume list --node {0}")]            // global options after the command
    [InlineData("--node http://{0} volume list")]     // with a scheme
    [InlineData("--node http://{0}/ volume list --timeout 5")]
    public async Task Global_options_go_anywhere(string commandLine)
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = Canned.Answer;

        var outcome = await Cli.RunAsync(string.Format(commandLine, gateway.Address));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("/volumes", Assert.Single(gateway.Requests).Path);
    }

    [Fact]
    public async Task The_node_comes_from_PBM_NODE_without_node()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = Canned.Answer;

        var outcome = await Cli.RunAsync("node list", name => name == "PBM_NODE" ? gateway.Address : null);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Single(gateway.Requests);
    }

    [Theory]
    [InlineData("node list --token s3cret", null)]
    [InlineData("node list", "s3cret")]
    public async Task The_api_token_comes_from_token_or_PBM_TOKEN_as_a_bearer_token(string commandLine, string? environment)
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = Canned.Answer;

        var outcome = await Cli.RunAsync($"{commandLine} --node {gateway.Address}", name => name == "PBM_TOKEN" ? environment : null);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("Bearer s3cret", Assert.Single(gateway.Requests).Authorization);
    }
}
