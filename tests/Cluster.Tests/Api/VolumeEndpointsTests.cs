using System.Net;
using System.Net.Http.Json;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.Cluster.Protocol;
using ActorStore.Volume.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Cluster.Tests.Api;

public sealed class VolumeEndpointsTests(ITestOutputHelper output) : GatewayTestKit(output)
{
    [Fact]
    public async Task Create_asks_the_volume_with_the_default_replica_count_and_answers_201_with_the_volume()
    {
        var (message, response) = await ExchangeAsync<VolumeProtocol.Create>(
            Http.PostAsJsonAsync("/volumes", new CreateVolume("vol-a", 1L << 30)), Volumes, c => View(c.Volume, VolumeStates.Creating));

        Assert.Equal(new VolumeProtocol.Create("vol-a", 1L << 30, 2), message);
        var info = await ReadAsync<VolumeInfo>(response, HttpStatusCode.Created);
        Assert.Equal("/volumes/vol-a", response.Headers.Location?.OriginalString);
        Assert.Equal(("vol-a", 1L << 30, VolumeStates.Creating, 3L, Created), (info.Name, info.Size, info.State, info.Epoch, info.Created));
        Assert.Null(info.Endpoint);
        Assert.Equal([ReplicaModes.ReadWrite, ReplicaModes.WriteOnly], info.Replicas.Select(r => r.Mode));
    }

    [Fact]
    public async Task Create_passes_an_explicit_replica_count_and_anti_affinity()
    {
        var (message, response) = await ExchangeAsync<VolumeProtocol.Create>(
            Http.PostAsync("/volumes", Json("""{"name":"vol-b","size":8192,"replicas":3,"softAntiAffinity":true}""")), Volumes, c => View(c.Volume));
        Assert.Equal(3, message.Replicas);
        Assert.True(message.SoftAntiAffinity); // the volume's own, over the cluster's setting
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task List_asks_the_registry_then_every_volume_skips_the_deleted_and_shows_the_local_nbd_endpoint()
    {
        var request = Http.GetAsync("/volumes");
        await Registry.ExpectMsgAsync<RegistryProtocol.ListVolumes>();
        Registry.Reply(new RegistryProtocol.VolumeNames(["vol-b", "vol-a", "gone"]));
        var asked = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var get = await Volumes.ExpectMsgAsync<VolumeProtocol.Get>();
            asked.Add(get.Volume);
            Volumes.Reply(get.Volume switch
            {
                "gone" => new VolumeProtocol.Refused("gone", VolumeError.NotFound, "no volume 'gone'"),
                "vol-a" => View("vol-a", VolumeStates.Attached, ThisNode),
                _ => View(get.Volume),
            });
        }

        var list = await ReadAsync<List<VolumeInfo>>(await request);
        Assert.Equal(["gone", "vol-a", "vol-b"], asked.Order());
        Assert.Equal(["vol-a", "vol-b"], list.Select(v => v.Name));
        Assert.Equal($"nbd://{ThisNbd}/vol-a", list[0].Endpoint);
        Assert.Null(list[1].Endpoint);
    }

    [Fact]
    public async Task Get_of_an_unknown_volume_is_404_with_the_actors_detail()
    {
        var (_, response) = await ExchangeAsync<VolumeProtocol.Get>(Http.GetAsync("/volumes/nope"), Volumes,
            g => new VolumeProtocol.Refused(g.Volume, VolumeError.NotFound, "volume 'nope' does not exist; pbm volume list shows the volumes"));
        Assert.Equal("volume 'nope' does not exist; pbm volume list shows the volumes", await AssertProblemAsync(response, HttpStatusCode.NotFound));
    }

    [Theory]
    [InlineData("/volumes/Bad_Name")]
    [InlineData("/volumes/-leading-dash")]
    [InlineData("/volumes/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task An_invalid_name_is_400_before_any_ask(string path)
    {
        var detail = await AssertProblemAsync(await Http.GetAsync(path), HttpStatusCode.BadRequest);
        Assert.Contains("a-z, 0-9 and '-'", detail);
        await Volumes.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Theory]
    [InlineData(-4096, "positive")]
    [InlineData(0, "positive")]
    [InlineData(4097, "multiple of 4096")]
    [InlineData((64L << 40) + 4096, "at most 64 TiB")]
    public async Task A_bad_size_is_400_and_says_why(long size, string why)
    {
        var detail = await AssertProblemAsync(await Http.PostAsJsonAsync("/volumes", new CreateVolume("vol-a", size)), HttpStatusCode.BadRequest);
        Assert.Contains(why, detail);
        detail = await AssertProblemAsync(await Http.PostAsJsonAsync("/volumes/vol-a/expand", new ExpandVolume(size)), HttpStatusCode.BadRequest);
        Assert.Contains(why, detail);
        await Volumes.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public async Task A_bad_replica_count_is_400(int replicas) =>
        await AssertProblemAsync(await Http.PostAsJsonAsync("/volumes", new CreateVolume("vol-a", 4096, replicas)), HttpStatusCode.BadRequest);

    [Theory]
    [InlineData("{\"name\":\"vol-a\",")]
    [InlineData("not json")]
    [InlineData("{\"name\":\"vol-a\",\"size\":\"big\"}")]
    [InlineData("")]
    public async Task A_malformed_body_is_a_400_problem(string body)
    {
        await AssertProblemAsync(await Http.PostAsync("/volumes", Json(body)), HttpStatusCode.BadRequest);
        await Volumes.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_missing_body_is_a_400_problem() =>
        Assert.Contains("JSON body", await AssertProblemAsync(await Http.PostAsync("/volumes", null), HttpStatusCode.BadRequest));

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415_problem_that_names_the_content_type_sent()
    {
        var detail = await AssertProblemAsync(await Http.PostAsync("/volumes", new StringContent("name=vol-a")), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("'text/plain", detail);
        Assert.Contains("Content-Type: application/json", detail);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem_that_says_so()
    {
        var body = new string(' ', 2 << 20) + "{}";
        var detail = await AssertProblemAsync(await Http.PostAsync("/volumes", Json(body)), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("1 MiB", detail);
    }

    [Fact]
    public async Task Revert_while_attached_is_409()
    {
        var (message, response) = await ExchangeAsync<VolumeProtocol.Revert>(
            Http.PostAsJsonAsync("/volumes/vol-a/revert", new RevertVolume("snap-1")), Volumes,
            r => new VolumeProtocol.Refused(r.Volume, VolumeError.WrongState, "detach volume 'vol-a' before reverting it"));
        Assert.Equal(new VolumeProtocol.Revert("vol-a", "snap-1"), message);
        Assert.Equal("detach volume 'vol-a' before reverting it", await AssertProblemAsync(response, HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task No_room_is_507()
    {
        var (_, response) = await ExchangeAsync<VolumeProtocol.Create>(Http.PostAsJsonAsync("/volumes", new CreateVolume("big", 1L << 40)), Volumes,
            c => new VolumeProtocol.Refused(c.Volume, VolumeError.NoSpace, "no 2 disks have 1 TiB free; add disks or use fewer replicas"));
        await AssertProblemAsync(response, HttpStatusCode.InsufficientStorage);
    }

    [Fact]
    public async Task A_volume_that_does_not_answer_in_time_is_504()
    {
        var http = await StartGatewayAsync(TimeSpan.FromMilliseconds(300));
        var request = http.GetAsync("/volumes/slow");
        await Volumes.ExpectMsgAsync<VolumeProtocol.Get>();
        var detail = await AssertProblemAsync(await request, HttpStatusCode.GatewayTimeout);
        Assert.Equal("the volume did not answer within 0.3 s; it may be busy with a long operation; retry", detail);
    }

    [Fact]
    public async Task Attach_without_a_body_attaches_to_this_node_and_shows_its_nbd_endpoint()
    {
        var (message, response) = await ExchangeAsync<VolumeProtocol.Attach>(Http.PostAsync("/volumes/vol-a/attach", null), Volumes,
            a => View(a.Volume, VolumeStates.Attached, a.Node));
        Assert.Equal(new VolumeProtocol.Attach("vol-a", ThisNode), message);
        Assert.Equal($"nbd://{ThisNbd}/vol-a", (await ReadAsync<VolumeInfo>(response)).Endpoint);
    }

    [Fact]
    public async Task Attach_to_another_node_shows_that_nodes_nbd_endpoint()
    {
        var request = Http.PostAsJsonAsync("/volumes/vol-a/attach", new AttachVolume("n2"));
        var attach = await Volumes.ExpectMsgAsync<VolumeProtocol.Attach>();
        Assert.Equal("n2", attach.Node);
        Volumes.Reply(View("vol-a", VolumeStates.Attached, "n2", nbd: "10.0.0.2:10809")); // the engine on n2 reported it
        Assert.Equal("nbd://10.0.0.2:10809/vol-a", (await ReadAsync<VolumeInfo>(await request)).Endpoint);
    }

    [Fact]
    public async Task Detach_expand_delete_and_replicas_send_their_commands()
    {
        var (detach, response) = await ExchangeAsync<VolumeProtocol.Detach>(Http.PostAsync("/volumes/vol-a/detach", null), Volumes, d => View(d.Volume));
        Assert.Equal("vol-a", detach.Volume);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var (expand, expanded) = await ExchangeAsync<VolumeProtocol.Expand>(
            Http.PostAsJsonAsync("/volumes/vol-a/expand", new ExpandVolume(2L << 30)), Volumes, e => View(e.Volume, size: e.Size));
        Assert.Equal(new VolumeProtocol.Expand("vol-a", 2L << 30), expand);
        Assert.Equal(2L << 30, (await ReadAsync<VolumeInfo>(expanded)).Size);

        var (_, deleted) = await ExchangeAsync<VolumeProtocol.Delete>(Http.DeleteAsync("/volumes/vol-a"), Volumes, d => new VolumeProtocol.Deleted(d.Volume));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var (_, replicas) = await ExchangeAsync<VolumeProtocol.Get>(Http.GetAsync("/volumes/vol-a/replicas"), Volumes, g => View(g.Volume));
        Assert.Equal([("r1", "RW"), ("r2", "WO")], (await ReadAsync<List<ReplicaInfo>>(replicas)).Select(r => (r.Id, r.Mode)));
    }

    [Fact]
    public async Task An_actor_failure_is_a_500_problem_that_leaks_nothing()
    {
        var (_, response) = await ExchangeAsync<VolumeProtocol.Get>(Http.GetAsync("/volumes/vol-a"), Volumes,
            _ => new Akka.Actor.Status.Failure(new InvalidOperationException("secret internals")));
        var text = await response.Content.ReadAsStringAsync();
        await AssertProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.DoesNotContain("secret", text);
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem() =>
        Assert.Contains("/openapi/v1.json", await AssertProblemAsync(await Http.GetAsync("/volumez"), HttpStatusCode.NotFound));

    [Fact]
    public async Task A_wrong_method_is_a_405_problem() =>
        await AssertProblemAsync(await Http.PutAsync("/volumes/vol-a", Json("{}")), HttpStatusCode.MethodNotAllowed);
}
