using Xunit;

namespace ActorStore.Cli.Tests;

/// <summary>Every failure is one line on stderr and an exit code: 1 refused, 2 bad usage, 3 unreachable.</summary>
public sealed class ErrorTests
{
    [Fact]
    public async Task A_problem_is_one_line_and_exit_1()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = _ => Canned.Problem(409, "Conflict", "volume vol-1 already exists");

        var outcome = await Cli.RunAsync($"--node {gateway.Address} volume create vol-1 --size 1GiB");

        Assert.Equal(ExitCodes.Refused, outcome.ExitCode);
        Assert.Equal("pbm: volume vol-1 already exists (HTTP 409)" + Environment.NewLine, outcome.Err);
        Assert.Equal("", outcome.Out);
    }

    [Fact]
    public async Task Not_implemented_shows_the_servers_detail()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = _ => Canned.Problem(501, "Not Implemented", "evicting a node is not implemented yet");

        var outcome = await Cli.RunAsync($"--node {gateway.Address} node evict node-1");

        Assert.Equal(ExitCodes.Refused, outcome.ExitCode);
        Assert.Equal(["pbm: evicting a node is not implemented yet (HTTP 501)"], outcome.ErrLines.Select(l => l.TrimEnd()));
    }

    [Fact]
    public async Task A_json_problem_still_goes_to_stderr()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = _ => Canned.Problem(404, "Not Found", "no volume named vol-9");

        var outcome = await Cli.RunAsync($"--node {gateway.Address} volume show vol-9 --json");

        Assert.Equal(ExitCodes.Refused, outcome.ExitCode);
        Assert.Equal("", outcome.Out);
        Assert.Single(outcome.ErrLines);
    }

    [Theory]
    [InlineData(422, """{"title":"Invalid size","status":422}""", "application/problem+json", "pbm: Invalid size (HTTP 422)")]
    [InlineData(500, "", "text/plain", "pbm: Internal Server Error (HTTP 500)")]
    [InlineData(502, "<html><body>Bad gateway</body></html>", "text/html", "pbm: Bad Gateway (HTTP 502)")]
    [InlineData(503, "overloaded\nretry later", "text/plain", "pbm: overloaded retry later (HTTP 503)")]
    public async Task Without_a_detail_the_line_says_what_it_can(int status, string body, string contentType, string line)
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = _ => new FakeGateway.Reply(status, body, contentType);

        var outcome = await Cli.RunAsync($"--node {gateway.Address} volume list");

        Assert.Equal(ExitCodes.Refused, outcome.ExitCode);
        Assert.Equal([line], outcome.ErrLines.Select(l => l.TrimEnd()));
    }

    [Fact]
    public async Task An_unreadable_answer_is_exit_1()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = _ => new FakeGateway.Reply(200, "not json", "text/plain");

        var outcome = await Cli.RunAsync($"--node {gateway.Address} volume list");

        Assert.Equal(ExitCodes.Refused, outcome.ExitCode);
        Assert.Single(outcome.ErrLines);
        Assert.StartsWith($"pbm: the node at {gateway.Address} sent an answer pbm cannot read", outcome.Err);
    }

    [Fact]
    public async Task An_unreachable_node_is_exit_3_with_the_hint()
    {
        var port = FakeGateway.FreePort();

        var outcome = await Cli.RunAsync($"--node 127.0.0.1:{port} volume list");

        Assert.Equal(ExitCodes.Unreachable, outcome.ExitCode);
        Assert.Equal(
            [$"pbm: cannot reach the node at 127.0.0.1:{port} (connection refused): is actorstore-node running? set --node or PBM_NODE"],
            outcome.ErrLines.Select(l => l.TrimEnd()));
        Assert.Equal("", outcome.Out);
    }

    [Fact]
    public async Task A_node_that_does_not_answer_in_time_is_exit_3()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = _ => new FakeGateway.Reply(200, "[]", Delay: TimeSpan.FromSeconds(5));

        var outcome = await Cli.RunAsync($"--node {gateway.Address} volume list --timeout 0.3");

        Assert.Equal(ExitCodes.Unreachable, outcome.ExitCode);
        Assert.Single(outcome.ErrLines);
        Assert.Contains("no answer within 0.3 s", outcome.Err);
    }

    [Fact]
    public async Task Cancelling_is_one_line_and_exit_130()
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = _ => new FakeGateway.Reply(200, "[]", Delay: TimeSpan.FromSeconds(5));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await Pbm.RunAsync(["--node", gateway.Address, "volume", "list"], stdout, stderr, _ => null, cancel.Token);

        Assert.Equal(ExitCodes.Cancelled, code);
        Assert.Equal("pbm: cancelled" + Environment.NewLine, stderr.ToString());
    }

    [Theory]
    [InlineData("volume create vol-1 --size -1GiB", "pbm: invalid size '-1GiB': a size must be greater than zero (see 'pbm volume create --help')")]
    [InlineData("volume create vol-1 --size lots", "pbm: invalid size 'lots': ")]
    [InlineData("volume create vol-1 --size 1GB", "pbm: invalid size '1GB': 'GB' is ambiguous")]
    [InlineData("volume expand vol-1 --size 0", "pbm: invalid size '0'")]
    [InlineData("volume create vol-1", "pbm: give --size (or --from-backup)")]
    [InlineData("volume create vol-1 --size 1GiB --standby", "pbm: --standby and --wait go with --from-backup")]
    [InlineData("volume create Vol_1 --size 1G", "pbm: invalid volume name 'Vol_1'")]
    [InlineData("volume create vol-1 --size 1G --replicas 0", "pbm: invalid --replicas")]
    [InlineData("volume attach vol-1 --to Node1", "pbm: invalid node name 'Node1'")]
    [InlineData("snapshot create vol-1 -bad", "pbm: invalid snapshot name '-bad'")]
    [InlineData("snapshot revert vol-1 ../x", "pbm: invalid snapshot name '../x'")]
    [InlineData("node disk remove node-1 DISK", "pbm: invalid disk name 'DISK'")]
    [InlineData("node schedule node-1 maybe", "pbm: expected 'on' or 'off', not 'maybe'")]
    [InlineData("volume lst", "pbm: unknown command or argument 'lst' (see 'pbm volume --help')")]
    [InlineData("volume", "pbm: ")]
    [InlineData("", "pbm: ")]
    [InlineData("volume list --timeout -1", "pbm: ")]
    [InlineData("node evict node-1 --wait-timeout 10m", "pbm: --wait-timeout goes with --wait (see 'pbm node evict --help')")]
    [InlineData("node evict node-1 --wait --wait-timeout 0", "pbm: invalid duration '0': a duration must be greater than zero")]
    [InlineData("node disk evict node-1 disk-a --wait --wait-timeout soon", "pbm: invalid duration 'soon': ")]
    [InlineData("volume rebuilds --wait --wait-timeout 5m", "pbm: unknown command or argument '--wait-timeout'")]
    public async Task Bad_usage_is_exit_2_and_sends_nothing(string commandLine, string start)
    {
        await using var gateway = FakeGateway.Start();
        gateway.Respond = Canned.Answer;

        var outcome = await Cli.RunAsync($"--node {gateway.Address} {commandLine}");

        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.StartsWith(start, outcome.Err);
        Assert.Single(outcome.ErrLines);
        Assert.Equal("", outcome.Out);
        Assert.Empty(gateway.Requests);
    }

    [Fact]
    public async Task A_bad_node_address_is_exit_2()
    {
        var outcome = await Cli.RunAsync("--node http://host:9500/?x volume list");

        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.StartsWith("pbm: invalid node address", outcome.Err);
    }

    [Fact]
    public async Task A_bad_PBM_NODE_is_exit_2()
    {
        var outcome = await Cli.RunAsync("volume list", _ => "ftp://x");

        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.StartsWith("pbm: invalid node address 'ftp://x'", outcome.Err);
    }

    [Fact]
    public async Task Help_is_exit_0_on_stdout()
    {
        var outcome = await Cli.RunAsync("volume create --help");

        Assert.Equal(ExitCodes.Ok, outcome.ExitCode);
        Assert.Contains("--size", outcome.Out);
        Assert.Equal("", outcome.Err);
    }
}
