using System.Text.Json.Nodes;
using ActorStore.Cluster.Api.Contracts;
using Xunit;

namespace ActorStore.Cli.Tests;

/// <summary>--wait on `volume rebuilds` and the evictions, against a gateway whose answers move on poll by poll.</summary>
public sealed class WaitTests
{
    private static readonly VolumeRebuildInfo Running = new("vol-1", Canned.Rebuild);

    /// <summary>vol-1 attached with r-1 on node-1 disk-a (evicted) and r-2 on node-2 being rebuilt; vol-2 detached, with a replica on node-1 (moving offline).</summary>
    private static VolumeInfo[] Moving() =>
    [
        Canned.Volume with
        {
            Replicas = [Canned.Replica, Canned.Replica with { Id = "r-2", Node = "node-2", Mode = ReplicaModes.WriteOnly }],
            Rebuild = Canned.Rebuild,
        },
        Detached(),
    ];

    private static VolumeInfo[] Moved() =>
        [Canned.Volume with { Replicas = [Canned.Replica with { Id = "r-2", Node = "node-2" }] }, Detached("node-3")];

    private static VolumeInfo Detached(string node = "node-1") => Canned.Volume with
    {
        Name = "vol-2",
        State = VolumeStates.Detached,
        AttachedTo = null,
        Endpoint = null,
        Replicas = [Canned.Replica with { Id = "r-9", Node = node }],
    };

    /// <summary>Answers GET /rebuilds and GET /volumes from the n-th answer given (the last one again once they run out).</summary>
    private static Func<FakeGateway.Request, FakeGateway.Reply> Polls(VolumeRebuildInfo[][]? rebuilds = null, VolumeInfo[][]? volumes = null)
    {
        var (r, v) = (0, 0);
        return request => request switch
        {
            { Method: "GET", Path: "/rebuilds" } when rebuilds is not null => Canned.Ok(rebuilds[Math.Min(Interlocked.Increment(ref r), rebuilds.Length) - 1]),
            { Method: "GET", Path: "/volumes" } when volumes is not null => Canned.Ok(volumes[Math.Min(Interlocked.Increment(ref v), volumes.Length) - 1]),
            _ => Canned.Answer(request),
        };
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task Rebuilds_wait_polls_until_none_runs_and_says_how_each_ended()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = Polls(rebuilds: [[Running], []], volumes: [Moved()]);

        var outcome = await Cli.RunAsync($"--node {gateway.Address} volume rebuilds --wait");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("", outcome.Err);
        var lines = Lines(outcome.Out);
        Assert.Equal("vol-1: rebuilding r-2 on node-2, 25.0% (256.0 MiB of 1.0 GiB) at 64.0 MiB/s, ETA 12s", lines[0]);
        Assert.StartsWith("vol-1: r-2 on node-2 rebuilt, 1.0 GiB in ", lines[1]);
        Assert.Equal("no rebuild is running", lines[2]);
        Assert.DoesNotContain('\u001b', outcome.Out); // not a terminal
        Assert.Equal(["/rebuilds", "/rebuilds", "/volumes"], gateway.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Rebuilds_wait_with_json_prints_one_object_per_poll_per_line()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = Polls(rebuilds: [[Running], []], volumes: [Moved()]);

        var outcome = await Cli.RunAsync($"--node {gateway.Address} volume rebuilds --wait --json");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var polls = Lines(outcome.Out).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(2, polls.Count);
        Assert.Equal("r-2", (string?)polls[0]["rebuilds"]![0]!["rebuild"]!["replica"]);
        Assert.Equal("rebuilt", (string?)polls[1]["ended"]![0]!["outcome"]);
    }

    [Fact]
    public async Task Rebuilds_wait_with_none_running_returns_at_once()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = Polls(rebuilds: [[]]);

        var outcome = await Cli.RunAsync($"--node {gateway.Address} volume rebuilds --wait");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal(["no rebuild is running"], Lines(outcome.Out));
    }

    [Fact]
    public async Task Evict_wait_follows_the_rebuilds_until_no_volume_is_left_detached_ones_moving_offline()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = Polls(volumes: [Moving(), Moved()]);

        var outcome = await Cli.RunAsync($"--node {gateway.Address} node evict node-1 --wait");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal("", outcome.Err);
        var lines = Lines(outcome.Out);
        Assert.Equal("node node-1 takes no new replicas; 2 replica(s) to move", lines[0]); // the eviction's answer first
        Assert.Contains("node node-1: 2 volume(s) left to move (vol-1, vol-2); 1 of them detached, moving offline (vol-2)", lines);
        Assert.Contains("vol-1: rebuilding r-2 on node-2, 25.0% (256.0 MiB of 1.0 GiB) at 64.0 MiB/s, ETA 12s", lines);
        Assert.Contains(lines, l => l.StartsWith("vol-1: r-2 on node-2 rebuilt, 1.0 GiB in ", StringComparison.Ordinal));
        Assert.Matches(@"^node node-1 holds no replicas any more \(waited \d+s\)$", lines[^1]);
        Assert.Equal(["POST /nodes/node-1/evict", "GET /volumes", "GET /volumes"], gateway.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task Disk_evict_wait_counts_only_replicas_on_that_disk()
    {
        await using var gateway = FakeGateway.Start();
        var elsewhere = Canned.Volume with { Replicas = [Canned.Replica with { Disk = "disk-b" }] };
        gateway.Respond = Polls(volumes: [[elsewhere]]);

        var outcome = await Cli.RunAsync($"--node {gateway.Address} node disk evict node-1 disk-a --wait");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Matches(@"^disk disk-a of node node-1 holds no replicas any more \(waited \d+s\)$", Lines(outcome.Out)[^1]);
    }

    [Fact]
    public async Task Evict_wait_timeout_gives_up_with_one_line_saying_what_is_left_and_what_to_do()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = Polls(volumes: [Moving()]);

        var outcome = await Cli.RunAsync($"--node {gateway.Address} node evict node-1 --wait --wait-timeout 1s");

        Assert.Equal(ExitCodes.TimedOut, outcome.ExitCode);
        Assert.Equal(
            ["pbm: gave up waiting after 1s: node node-1 still holds replicas of 2 volume(s): vol-1 (rebuilding, 25.0%), vol-2 (no rebuild running); "
             + "1 of them detached, moving offline (vol-2); the eviction goes on: run 'pbm node evict node-1 --wait' to wait again, "
             + "'pbm volume events VOLUME' says why a volume does not move"],
            outcome.ErrLines.Select(l => l.TrimEnd()));
    }

    [Fact]
    public async Task Evict_wait_with_json_prints_the_answer_then_one_object_per_poll_per_line()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = Polls(volumes: [Moving(), Moved()]);

        var outcome = await Cli.RunAsync($"--node {gateway.Address} node evict node-1 --wait --json");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var lines = Lines(outcome.Out).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal(["vol-1", "vol-2"], lines[0]["moving"]!.AsArray().Select(n => (string?)n));   // the EvictionInfo
        Assert.Equal(["vol-1", "vol-2"], lines[1]["moving"]!.AsArray().Select(n => (string?)n));   // still there
        Assert.Equal(["vol-2"], lines[1]["offline"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(25.0, (double?)lines[1]["rebuilds"]![0]!["rebuild"]!["percent"]);
        Assert.Empty(lines[2]["moving"]!.AsArray());
    }

    [Fact]
    public async Task A_failed_poll_ends_the_wait_with_its_line_and_exit_code()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = request => request.Path == "/rebuilds" ? Canned.Problem(503, "Service Unavailable", "the cluster has no leader") : Canned.Answer(request);

        var outcome = await Cli.RunAsync($"--node {gateway.Address} volume rebuilds --wait");

        Assert.Equal(ExitCodes.Refused, outcome.ExitCode);
        Assert.Equal(["pbm: the cluster has no leader (HTTP 503)"], outcome.ErrLines.Select(l => l.TrimEnd()));
    }

    [Theory]
    [InlineData("volume rebuilds", false, null)]
    [InlineData("volume rebuilds --wait", true, null)]
    [InlineData("node evict node-1 --wait --wait-timeout 90s", true, 90.0)]
    [InlineData("node disk evict node-1 disk-a --wait-timeout 1h30m --wait", true, 5400.0)]
    public void The_wait_options_parse(string commandLine, bool wait, double? seconds)
    {
        var parse = Pbm.Parse(commandLine.Split(' '), _ => null);

        Assert.Empty(parse.Errors);
        Assert.Equal(wait, parse.GetValue<bool>("--wait"));
        if (commandLine.Contains("--wait-timeout", StringComparison.Ordinal))
            Assert.Equal(TimeSpan.FromSeconds(seconds!.Value), parse.GetValue<TimeSpan?>("--wait-timeout"));
    }

    [Fact]
    public void Eviction_left_lists_every_volume_there_and_the_detached_ones_by_node_and_disk()
    {
        var left = EvictionLeft.Of("node-1", null, Moving());
        Assert.Equal(["vol-1", "vol-2"], left.Moving);
        Assert.Equal(["vol-2"], left.Offline);
        Assert.False(left.IsDone);

        Assert.True(EvictionLeft.Of("node-1", "disk-b", Moving()) is { IsDone: true, Offline.Count: 0 });
        Assert.True(EvictionLeft.Of("node-1", null, Moved()).IsDone);
    }
}
