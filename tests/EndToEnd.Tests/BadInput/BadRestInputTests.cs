using System.Net;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.BadInput;

/// <summary>
/// Bad REST input gets the right status and an RFC 7807 problem detail whose text tells the caller what to do;
/// afterwards the node still answers and still serves NBD.
/// </summary>
[Collection(SharedNodeCollection.Name)]
public sealed class BadRestInputTests(SharedNodeFixture fixture, ITestOutputHelper output) : NodeTest(output)
{
    private readonly NodeProcess _node = fixture.Node;

    private Gateway Api => _node.Api;

    public override Task InitializeAsync()
    {
        Watch(_node);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Malformed_json_is_400() =>
        await ExpectProblemAsync(HttpStatusCode.BadRequest, await Api.SendAsync(HttpMethod.Post, "/volumes", "{ \"name\": \"x\", \"size\": "));

    [Fact]
    public async Task An_unknown_volume_is_404()
    {
        await ExpectProblemAsync(HttpStatusCode.NotFound, await Api.SendAsync(HttpMethod.Get, "/volumes/no-such-volume-e2e"));
        await ExpectProblemAsync(HttpStatusCode.NotFound, await Api.SendAsync(HttpMethod.Post, "/volumes/no-such-volume-e2e/attach", "{}"));
        await ExpectProblemAsync(HttpStatusCode.NotFound, await Api.SendAsync(HttpMethod.Get, "/volumes/no-such-volume-e2e/snapshots"));
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("-leading-dash")]
    [InlineData("under_score")]
    [InlineData("dot.dot")]
    [InlineData("")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")] // 64 characters
    public async Task An_invalid_volume_name_is_400(string name) =>
        await ExpectProblemAsync(HttpStatusCode.BadRequest, await Api.SendJsonAsync(HttpMethod.Post, "/volumes", new CreateVolume(name, 16 * TestData.MiB)));

    [Theory]
    [InlineData(-4096)]
    [InlineData(0)]
    [InlineData(long.MaxValue)]
    public async Task A_negative_zero_or_absurd_size_is_400(long size) =>
        await ExpectProblemAsync(HttpStatusCode.BadRequest, await Api.SendJsonAsync(HttpMethod.Post, "/volumes", new CreateVolume(TestData.VolumeName("size"), size)));

    [Fact]
    public async Task Revert_while_attached_is_409()
    {
        var name = TestData.VolumeName("revert409");
        await Api.CreateAttachedAsync(name, 16 * TestData.MiB, 2);
        await Api.SnapshotAsync(name, "s1");
        await ExpectProblemAsync(HttpStatusCode.Conflict, await Api.SendJsonAsync(HttpMethod.Post, $"/volumes/{name}/revert", new RevertVolume("s1")));
        Assert.Equal(VolumeStates.Attached, (await Api.GetVolumeAsync(name)).State);
    }

    [Fact]
    public async Task A_volume_bigger_than_the_disks_can_hold_is_507()
    {
        var nodes = await Api.ListNodesAsync();
        var capacity = nodes.SelectMany(n => n.Disks).Sum(d => d.CapacityBytes);
        Assert.True(capacity > 0, "the node reports no disk capacity");
        // Ten times everything the node's disks hold, in whole GiB: plausible as a size, impossible to place.
        var size = (capacity * 10 / TestData.GiB + 1) * TestData.GiB;
        await ExpectProblemAsync((HttpStatusCode)507, await Api.SendJsonAsync(HttpMethod.Post, "/volumes", new CreateVolume(TestData.VolumeName("huge"), size, 1)));
    }

    /// <summary>
    /// Found by trying it: /proc as a disk answered 504 after 10 s and faulted every attached volume of the
    /// node (its agent crashed and reopened the replicas). Each path is refused at once, and a volume
    /// attached meanwhile keeps serving with both replicas healthy.
    /// </summary>
    [Theory]
    [InlineData("/proc", "proc")]
    [InlineData("/sys/kernel", "sysfs")]
    [InlineData("/no/such/directory", "does not exist")]
    [InlineData("/etc/hostname", "is a file")]
    public async Task A_disk_path_that_cannot_hold_replicas_is_400_and_attached_volumes_stay_healthy(string path, string reason)
    {
        var name = TestData.VolumeName("diskpath");
        await Api.CreateAttachedAsync(name, 16 * TestData.MiB, 2);
        var uri = _node.NbdUri(name);
        await QemuIo.RunAsync(uri, "write -P 0x4d 0 1M", "flush");

        var response = await Api.SendJsonAsync(HttpMethod.Post, $"/nodes/{_node.Ready.NodeId}/disks", new AddDisk(path));
        await ExpectProblemAsync(HttpStatusCode.BadRequest, response);
        Assert.Contains(reason, response.Problem!.Detail);

        await QemuIo.RunAsync(uri, "read -P 0x4d 0 1M", "write -P 0x4e 1M 1M", "flush");
        var volume = await Api.GetVolumeAsync(name);
        Assert.Equal(VolumeStates.Healthy, volume.Robustness);
        Assert.All(volume.Replicas, r => Assert.Equal(ReplicaModes.ReadWrite, r.Mode));
        Assert.DoesNotContain(_node.Output.Since(0), line => line.Contains("NodeAgent", StringComparison.Ordinal) && line.Contains("Exception", StringComparison.Ordinal));
    }

    private async Task ExpectProblemAsync(HttpStatusCode status, ApiResponse response)
    {
        Out.WriteLine(response.ToString());
        Assert.True(response.Status == status, $"expected {(int)status}, got {response}");
        Assert.True(response.Problem is not null, $"expected an application/problem+json body, got {response}");
        Assert.Equal((int)status, response.Problem!.Status);
        Assert.False(string.IsNullOrWhiteSpace(response.Problem.Title), $"the problem has no title: {response}");
        Assert.True(response.Problem.Detail is { Length: > 10 }, $"the problem detail must say what to do: {response}");
        await NodeStillServesAsync();
    }

    private async Task NodeStillServesAsync()
    {
        await Api.ListVolumesAsync();
        var name = TestData.VolumeName("after");
        await Api.CreateAttachedAsync(name, 4 * TestData.MiB, 1);
        (await Tool.RunAsync("nbdinfo", _node.NbdUri(name))).EnsureSuccess();
    }
}
