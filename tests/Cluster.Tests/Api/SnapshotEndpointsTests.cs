using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using ActorStore.Cluster.Api;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.Volume.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Cluster.Tests.Api;

public sealed class SnapshotEndpointsTests(ITestOutputHelper output) : GatewayTestKit(output)
{
    [Fact]
    public async Task Create_without_a_name_generates_one_and_answers_the_created_snapshot()
    {
        var (message, response) = await ExchangeAsync<VolumeProtocol.CreateSnapshot>(Http.PostAsync("/volumes/vol-a/snapshots", null), Volumes,
            c => new VolumeProtocol.Snapshots(c.Volume, [Snapshot("older"), Snapshot(c.Name, parent: "older")]));

        Assert.Matches(new Regex(@"^snap-\d{8}-\d{6}-[0-9a-f]{4}$"), message.Name);
        Assert.True(message.UserCreated);
        Assert.Null(message.Labels);
        var info = await ReadAsync<SnapshotInfo>(response, HttpStatusCode.Created);
        Assert.Equal((message.Name, "older"), (info.Name, info.Parent));
        Assert.Equal($"/volumes/vol-a/snapshots/{message.Name}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Create_with_a_name_and_labels_passes_them_on()
    {
        var (message, response) = await ExchangeAsync<VolumeProtocol.CreateSnapshot>(
            Http.PostAsJsonAsync("/volumes/vol-a/snapshots", new CreateSnapshot("before-upgrade", new() { ["app"] = "db" })), Volumes,
            c => new VolumeProtocol.Snapshots(c.Volume, [Snapshot(c.Name)]));
        Assert.Equal("before-upgrade", message.Name);
        Assert.Equal("db", message.Labels!["app"]);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task An_invalid_snapshot_name_is_400() =>
        await AssertProblemAsync(await Http.PostAsJsonAsync("/volumes/vol-a/snapshots", new CreateSnapshot("Not Valid")), HttpStatusCode.BadRequest);

    public static TheoryData<Dictionary<string, string>, string> BadLabels => new()
    {
        { Enumerable.Range(0, 21).ToDictionary(i => $"k{i}", _ => "v"), "at most 20 labels" },
        { new() { [new string('k', 64)] = "v" }, "1-63 characters" },
        { new() { ["has space"] = "v" }, "1-63 characters" },
        { new() { ["k"] = new string('v', 256) }, "at most 255 characters" },
        { new() { ["k"] = "line\nbreak" }, "control characters" },
    };

    [Theory]
    [MemberData(nameof(BadLabels))]
    public async Task Too_many_or_too_large_labels_are_400_before_any_ask(Dictionary<string, string> labels, string why)
    {
        var detail = await AssertProblemAsync(await Http.PostAsJsonAsync("/volumes/vol-a/snapshots", new CreateSnapshot("s1", labels)), HttpStatusCode.BadRequest);
        Assert.Contains(why, detail);
        Volumes.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Generated_names_are_valid_names()
    {
        var name = RequestValidation.GenerateSnapshotName(new DateTimeOffset(2025, 12, 31, 23, 59, 58, TimeSpan.FromHours(2)));
        Assert.StartsWith("snap-20251231-215958-", name);
        Assert.True(ActorStore.Blocks.Names.IsValid(name));
    }

    [Fact]
    public async Task List_purge_and_delete()
    {
        var (_, listed) = await ExchangeAsync<VolumeProtocol.ListSnapshots>(Http.GetAsync("/volumes/vol-a/snapshots"), Volumes,
            l => new VolumeProtocol.Snapshots(l.Volume, [Snapshot("s1"), Snapshot("s2", "s1")]));
        Assert.Equal(["s1", "s2"], (await ReadAsync<List<SnapshotInfo>>(listed)).Select(s => s.Name));

        var (_, purged) = await ExchangeAsync<VolumeProtocol.Purge>(Http.PostAsync("/volumes/vol-a/purge", null), Volumes,
            p => new VolumeProtocol.Snapshots(p.Volume, [Snapshot("s2")]));
        Assert.Equal(["s2"], (await ReadAsync<List<SnapshotInfo>>(purged)).Select(s => s.Name));

        var (delete, deleted) = await ExchangeAsync<VolumeProtocol.DeleteSnapshot>(Http.DeleteAsync("/volumes/vol-a/snapshots/s2"), Volumes,
            d => new VolumeProtocol.Snapshots(d.Volume, []));
        Assert.Equal(new VolumeProtocol.DeleteSnapshot("vol-a", "s2"), delete);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task Get_of_a_missing_snapshot_is_404()
    {
        var (_, response) = await ExchangeAsync<VolumeProtocol.ListSnapshots>(Http.GetAsync("/volumes/vol-a/snapshots/s9"), Volumes,
            l => new VolumeProtocol.Snapshots(l.Volume, [Snapshot("s1")]));
        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }
}
