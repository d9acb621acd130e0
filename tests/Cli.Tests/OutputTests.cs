using System.Text.Json.Nodes;
using Xunit;

namespace ActorStore.Cli.Tests;

/// <summary>What people and scripts read: tables, the attach hint, and --json's body.</summary>
public sealed class OutputTests
{
    private static async Task<Cli.Outcome> RunAsync(string commandLine)
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = Canned.Answer;
        var outcome = await Cli.RunAsync($"--node {gateway.Address} {commandLine}");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        return outcome;
    }

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task Volume_list_is_a_table()
    {
        var lines = Lines((await RunAsync("volume list")).Out);

        Assert.Equal(["NAME", "STATE", "ROBUSTNESS", "SIZE", "REPLICAS", "ATTACHED-TO", "ENDPOINT"], Words(lines[0]));
        Assert.Equal(["vol-1", "attached", "healthy", "1.0", "GiB", "2", "node-1", "10.0.0.1:10809"], Words(lines[1]));
    }

    [Fact]
    public async Task Output_has_no_escape_codes_when_redirected()
    {
        var outcome = await RunAsync("volume show vol-1");

        Assert.DoesNotContain('\u001b', outcome.Out);
    }

    [Fact]
    public async Task Volume_show_lists_its_replicas()
    {
        var lines = Lines((await RunAsync("volume show vol-1")).Out);

        Assert.Contains("Size: 1.0 GiB (1073741824 bytes)", lines.Select(l => string.Join(' ', Words(l))));
        var header = Array.FindIndex(lines, l => l.StartsWith("ID", StringComparison.Ordinal));
        Assert.Equal(["ID", "NODE", "DISK", "MODE", "FAILURE"], Words(lines[header]));
        Assert.Equal(["r-1", "node-1", "disk-a", "RW", "-"], Words(lines[header + 1]));
        Assert.Equal(["r-2", "node-2", "disk-a", "ERR", "disk", "I/O", "error"], Words(lines[header + 2]));
    }

    [Fact]
    public async Task A_rebuild_shows_its_percent_rate_and_time_left_and_the_listing_is_a_table()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = r => r.Path == "/volumes/vol-1" ? Canned.Ok(Canned.Volume with { Rebuild = Canned.Rebuild }) : Canned.Answer(r);
        var show = await Cli.RunAsync($"--node {gateway.Address} volume show vol-1");
        Assert.Contains("rebuilding r-2 on node-2 (replaces r-1): 25.0% (256.0 MiB of 1.0 GiB) at 64.0 MiB/s, 0:00:12 left, from r-0",
            Lines(show.Out).Select(l => string.Join(' ', Words(l))));

        var lines = Lines((await RunAsync("volume rebuilds")).Out);
        Assert.Equal(["VOLUME", "REPLICA", "NODE", "DONE", "OF", "PERCENT", "RATE", "ETA", "SOURCE"], Words(lines[0]));
        Assert.Equal(["vol-1", "r-2", "node-2", "256.0", "MiB", "1.0", "GiB", "25.0%", "64.0", "MiB/s", "0:00:12", "r-0"], Words(lines[1]));
    }

    [Fact]
    public async Task Events_are_a_table_and_an_eviction_says_what_moves_and_what_moves_offline()
    {
        var events = Lines((await RunAsync("volume events vol-1")).Out);
        Assert.Equal(["TIME", "VOLUME", "EVENT", "REPLICA", "NODE", "DETAIL"], Words(events[0]));
        Assert.StartsWith("2025-03-04 05:06:07Z vol-1 rebuilt r-2 node-2 1048576 bytes", string.Join(' ', Words(events[1])));

        var evicted = Lines((await RunAsync("node evict node-3")).Out);
        Assert.Equal("node node-3 takes no new replicas; 2 replica(s) to move", evicted[0]);
        Assert.Contains("detached, moved by an offline rebuild: vol-2", evicted[2]);
    }

    [Fact]
    public async Task Snapshot_list_is_a_table()
    {
        var lines = Lines((await RunAsync("snapshot list vol-1")).Out);

        Assert.Equal(["NAME", "PARENT", "CREATED", "USER", "REMOVED", "SIZE"], Words(lines[0]));
        Assert.Equal(["snap-2", "snap-1", "2025-03-04", "05:06:07Z", "yes", "yes", "4.0", "MiB"], Words(lines[2]));
    }

    [Fact]
    public async Task Node_list_and_show()
    {
        var list = Lines((await RunAsync("node list")).Out);
        Assert.Equal(["NODE", "ADDRESS", "STATUS", "SCHEDULABLE", "DISKS"], Words(list[0]));
        Assert.Equal(["node-1", "akka.tcp://actorstore@10.0.0.1:4053", "up", "yes", "1"], Words(list[1]));

        var show = Lines((await RunAsync("node show node-1")).Out);
        var header = Array.FindIndex(show, l => l.StartsWith("NAME", StringComparison.Ordinal));
        Assert.Equal(["NAME", "PATH", "SCHEDULABLE", "CAPACITY", "AVAILABLE", "SCHEDULED", "REPLICAS"], Words(show[header]));
        Assert.Equal(["disk-a", "/var/lib/actorstore/a", "yes", "100.0", "GiB", "60.0", "GiB", "10.0", "GiB", "3"], Words(show[header + 1]));
    }

    [Fact]
    public async Task Attach_prints_the_endpoint_and_how_to_connect()
    {
        var output = (await RunAsync("volume attach vol-1")).Out;

        Assert.Contains("10.0.0.1:10809", output);
        Assert.Contains("nbd-client 10.0.0.1 10809 -N vol-1 /dev/nbd0", output);
        Assert.Contains("nbdfuse DIR nbd://10.0.0.1:10809/vol-1", output);
    }

    [Theory]
    [InlineData("volume list")]
    [InlineData("volume show vol-1")]
    [InlineData("snapshot list vol-1")]
    [InlineData("node show node-1")]
    [InlineData("cluster show")]
    public async Task Json_prints_the_body_indented(string commandLine)
    {
        await using var gateway = FakeGateway.Start();
        string? sent = null;
        gateway.Respond = request =>
        {
            var reply = Canned.Answer(request);
            sent = reply.Body;
            return reply;
        };

        var outcome = await Cli.RunAsync($"--node {gateway.Address} {commandLine} --json");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(sent!), JsonNode.Parse(outcome.Out)), outcome.Out);
        Assert.Contains("\n  ", outcome.Out);
        Assert.Equal("", outcome.Err);
    }

    [Fact]
    public async Task Json_prints_nothing_for_an_empty_answer()
    {
        var outcome = await RunAsync("volume delete vol-1 --json");

        Assert.Equal("", outcome.Out);
    }

    [Fact]
    public async Task Orphans_are_a_table_and_one_is_deleted_only_when_named()
    {
        var orphans = Lines((await RunAsync("node orphans node-2")).Out);
        Assert.Equal(["REPLICA", "DISK", "SIZE", "VOLUME-ID", "WHY"], Words(orphans[0]));
        Assert.StartsWith("old-r1 disk-1 1.0 GiB", string.Join(' ', Words(orphans[1])));

        Assert.Equal(["orphan replica old-r1 deleted from node node-2"], Lines((await RunAsync("node orphans node-2 --delete old-r1")).Out));
    }
}
