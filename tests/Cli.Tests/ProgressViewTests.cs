using System.Text.Json.Nodes;
using ActorStore.Cli.Output;
using ActorStore.Cluster.Api.Contracts;
using Xunit;

namespace ActorStore.Cli.Tests;

/// <summary>The three forms of --wait's progress, drawn into a StringWriter with the time given.</summary>
public sealed class ProgressViewTests
{
    private const string Esc = "\u001b";
    private static readonly DateTimeOffset T0 = Canned.Created.AddSeconds(10);

    /// <summary>vol-1's rebuild of r-2 at <paramref name="percent"/> of 1 GiB, 64 MiB/s.</summary>
    private static VolumeRebuildInfo At(double percent, string volume = "vol-1", string replica = "r-2")
    {
        var total = 1L << 30;
        var done = (long)(total * percent / 100);
        return new VolumeRebuildInfo(volume, Canned.Rebuild with
        {
            Replica = replica,
            Done = done,
            Percent = percent,
            BytesPerSecond = 64 << 20,
            EtaSeconds = (total - done) / (double)(64 << 20),
        });
    }

    private static VolumeInfo VolumeWith(string mode, string? failure = null) =>
        Canned.Volume with { Replicas = [Canned.Replica, Canned.Replica with { Id = "r-2", Node = "node-2", Mode = mode, Failure = failure }] };

    private static string[] Lines(StringWriter output) => output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void A_bar_has_the_volume_replica_percent_bytes_rate_and_eta()
    {
        Assert.Equal("vol-1  r-2  [█████░░░░░░░░░░░░░░░]  25.0%   256.0 MiB/1.0 GiB     ETA 12s      64.0 MiB/s", ProgressView.BarLine(At(25)));
        Assert.Equal("vol-1     r-2    [░░░░░░░░░░]   0.0%         0 B/1.0 GiB     ETA 16s      64.0 MiB/s", ProgressView.BarLine(At(0), 8, 5, barWidth: 10));
        Assert.Contains("[████████████████████] 100.0%", ProgressView.BarLine(At(100)));
        var unknown = At(3) with { Rebuild = At(3).Rebuild with { BytesPerSecond = 0, EtaSeconds = null } };
        Assert.EndsWith("ETA -             0 B/s", ProgressView.BarLine(unknown));
        Assert.Equal(ProgressView.BarLine(At(25)).Length, ProgressView.BarLine(unknown).Length); // fixed widths: columns line up
    }

    [Fact]
    public void On_a_terminal_the_bars_are_redrawn_in_place_and_an_ended_rebuild_leaves_one_line_above()
    {
        using var output = new StringWriter();
        var view = new ProgressView(output, ProgressStyle.Bars);

        view.Update(T0, [At(10), At(50, "vol-22", "r-7")], null);
        var first = output.ToString();
        Assert.DoesNotContain(Esc, first); // nothing to move over yet
        Assert.Equal(2, Lines(output).Length);
        Assert.StartsWith("vol-1   r-2  [██", Lines(output)[0]); // names padded to the longest
        Assert.StartsWith("vol-22  r-7  [██████████", Lines(output)[1]);

        Assert.True(view.AnyEnded([At(60, "vol-22", "r-7")]));
        view.Update(T0.AddSeconds(62), [At(60, "vol-22", "r-7")], [VolumeWith(ReplicaModes.ReadWrite)]);
        var second = output.ToString()[first.Length..];
        Assert.StartsWith($"\r{Esc}[2A{Esc}[J", second); // up over the two bars, cleared
        var lines = second[$"\r{Esc}[2A{Esc}[J".Length..].Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("vol-1: r-2 on node-2 rebuilt, 1.0 GiB in 1m12s", lines[0]);
        Assert.StartsWith("vol-22  r-7  [████████████████████████░░░░░░░░░░░░░░░░]  60.0%", lines[1]); // the bar as wide as 120 columns allow (40)

        view.Finish("no rebuild is running");
        Assert.EndsWith($"\r{Esc}[1A{Esc}[J" + "no rebuild is running" + Environment.NewLine, output.ToString()); // only the bar is erased
    }

    [Fact]
    public void On_a_terminal_lines_are_cut_to_its_width_so_the_redraw_stays_in_place()
    {
        using var output = new StringWriter();
        var view = new ProgressView(output, ProgressStyle.Bars, width: 40);

        view.Update(T0, [At(10)], null, new EvictionLeft("node-1", null, ["vol-1", "vol-2"], ["vol-2"]));

        Assert.All(Lines(output), line => Assert.True(line.Length < 40, line));
        Assert.Equal(2, Lines(output).Length);
        Assert.StartsWith("node node-1: 2 volume(s) left to move", Lines(output)[0]);
        Assert.StartsWith("vol-1  r-2  [█░░░░░░░░░]", Lines(output)[1]); // no narrower than 10
        Assert.EndsWith("…", Lines(output)[1]);
    }

    [Fact]
    public void Not_on_a_terminal_a_rebuild_gets_a_line_per_10_percent_step_or_5_seconds_and_no_escape_codes()
    {
        using var output = new StringWriter();
        var view = new ProgressView(output, ProgressStyle.Lines);

        view.Update(T0, [At(1)], null);                         // first seen: a line
        view.Update(T0.AddSeconds(1), [At(2)], null);           // same step, 1 s: none
        view.Update(T0.AddSeconds(2), [At(11)], null);          // next 10% step: a line
        view.Update(T0.AddSeconds(6), [At(12)], null);          // 4 s since the last: none
        view.Update(T0.AddSeconds(7), [At(13)], null);          // 5 s and moved on: a line
        view.Update(T0.AddSeconds(20), [At(13)], null);         // not moved: none
        view.Update(T0.AddSeconds(21), [], [VolumeWith(ReplicaModes.ReadWrite)]);
        view.Finish("no rebuild is running");

        Assert.DoesNotContain(Esc, output.ToString());
        Assert.Equal(
        [
            "vol-1: rebuilding r-2 on node-2, 1.0% (10.2 MiB of 1.0 GiB) at 64.0 MiB/s, ETA 16s",
            "vol-1: rebuilding r-2 on node-2, 11.0% (112.6 MiB of 1.0 GiB) at 64.0 MiB/s, ETA 15s",
            "vol-1: rebuilding r-2 on node-2, 13.0% (133.1 MiB of 1.0 GiB) at 64.0 MiB/s, ETA 14s",
            "vol-1: r-2 on node-2 rebuilt, 1.0 GiB in 31s",
            "no rebuild is running",
        ], Lines(output));
    }

    [Fact]
    public void Not_on_a_terminal_an_evictions_status_is_printed_when_it_changes()
    {
        using var output = new StringWriter();
        var view = new ProgressView(output, ProgressStyle.Lines);
        var left = new EvictionLeft("node-1", null, ["vol-1", "vol-3"], []);

        view.Update(T0, [], null, left);
        view.Update(T0.AddSeconds(1), [], null, left);
        view.Update(T0.AddSeconds(2), [], null, left with { Moving = ["vol-3"] });

        Assert.Equal(["node node-1: 2 volume(s) left to move (vol-1, vol-3)", "node node-1: 1 volume(s) left to move (vol-3)"], Lines(output));
    }

    [Theory]
    [InlineData(ReplicaModes.ReadWrite, null, "vol-1: r-2 on node-2 rebuilt, 1.0 GiB in 1m00s")]
    [InlineData(ReplicaModes.Error, "disk I/O error", "vol-1: rebuild of r-2 on node-2 failed at 40.0% (disk I/O error); see 'pbm volume events vol-1'")]
    [InlineData(ReplicaModes.WriteOnly, null, "vol-1: rebuild of r-2 on node-2 stopped at 40.0% (replica still WO); see 'pbm volume events vol-1'")]
    public void An_ended_rebuild_says_how_it_ended_from_its_replicas_mode(string mode, string? failure, string expected)
    {
        using var output = new StringWriter();
        var view = new ProgressView(output, ProgressStyle.Lines);
        view.Update(T0, [At(40)], null);

        view.Update(Canned.Created.AddMinutes(1), [], [VolumeWith(mode, failure)]);

        Assert.Equal(expected, Lines(output)[^1]);
    }

    [Fact]
    public void An_ended_rebuild_whose_replica_or_volume_is_gone_stopped_and_without_the_volumes_it_just_ended()
    {
        var end = new RebuildEnd("vol-1", "r-2", "node-2", RebuildEnd.Stopped, "replica removed", Canned.Created, 40, 1, 2);
        Assert.Equal("vol-1: rebuild of r-2 on node-2 stopped at 40.0% (replica removed); see 'pbm volume events vol-1'", ProgressView.EndLine(end, T0));

        using var output = new StringWriter();
        var view = new ProgressView(output, ProgressStyle.Lines);
        view.Update(T0, [At(40), At(40, "vol-9")], null);
        view.Update(T0.AddSeconds(1), [], [Canned.Volume with { Replicas = [Canned.Replica] }]);
        view.Update(T0.AddSeconds(2), [At(50)], null);
        view.Update(T0.AddSeconds(3), [], null);

        Assert.Equal(
        [
            "vol-1: rebuild of r-2 on node-2 stopped at 40.0% (replica removed); see 'pbm volume events vol-1'",
            "vol-9: rebuild of r-2 on node-2 stopped at 40.0% (volume deleted); see 'pbm volume events vol-9'",
            "vol-1: rebuild of r-2 on node-2 ended at 50.0%",
        ], Lines(output).Where(l => !l.Contains("rebuilding", StringComparison.Ordinal)));
    }

    [Fact]
    public void With_json_each_poll_is_one_object_on_one_line_and_the_last_line_is_for_people_only()
    {
        using var output = new StringWriter();
        var view = new ProgressView(output, ProgressStyle.JsonLines);

        view.Update(T0, [At(25)], null, new EvictionLeft("node-1", null, ["vol-1", "vol-2"], ["vol-2"]));
        view.Update(T0.AddSeconds(1), [], [VolumeWith(ReplicaModes.ReadWrite)]);
        view.Finish("no rebuild is running");

        var lines = Lines(output);
        Assert.Equal(2, lines.Length);
        var first = JsonNode.Parse(lines[0])!;
        Assert.Equal("vol-1", (string?)first["rebuilds"]![0]!["volume"]);
        Assert.Equal(25.0, (double?)first["rebuilds"]![0]!["rebuild"]!["percent"]);
        Assert.Equal(["vol-1", "vol-2"], first["moving"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(["vol-2"], first["offline"]!.AsArray().Select(n => (string?)n));
        Assert.Empty(first["ended"]!.AsArray());
        var second = JsonNode.Parse(lines[1])!;
        Assert.Empty(second["rebuilds"]!.AsArray());
        Assert.Equal("rebuilt", (string?)second["ended"]![0]!["outcome"]);
        Assert.Null(second["moving"]); // not an eviction's poll
    }

    [Theory]
    [InlineData(true, true, ProgressStyle.JsonLines)]
    [InlineData(false, true, ProgressStyle.Bars)]
    [InlineData(false, false, ProgressStyle.Lines)]
    public void The_style_follows_json_and_the_terminal(bool json, bool canRedraw, ProgressStyle expected) =>
        Assert.Equal(expected, ProgressView.StyleFor(json, canRedraw));
}
