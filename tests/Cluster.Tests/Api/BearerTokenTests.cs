using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ActorStore.Cluster.Api;
using ActorStore.Cluster.Protocol;
using Xunit;

namespace ActorStore.Cluster.Tests.Api;

/// <summary>A gateway with actorstore.api.token set: no token or a wrong one is a 401 that says what to do; the right one passes.</summary>
public sealed class BearerTokenTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Requests_without_the_right_bearer_token_are_refused_with_401()
    {
        var nodes = CreateTestProbe();
        var targets = new GatewayTargets(Sys, CreateTestProbe().Ref, CreateTestProbe().Ref, nodes.Ref, CreateTestProbe().Ref, CreateTestProbe().Ref, "n1", "test-cluster", "127.0.0.1:10809", DefaultReplicas: 2, TimeSpan.FromSeconds(5));
        await using var host = await GatewayHost.StartAsync(targets, new GatewayOptions("127.0.0.1", 0, Token: "s3cret"));
        using var http = new HttpClient { BaseAddress = host.Url };

        var none = await http.GetAsync("/nodes");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("--token", (await none.Content.ReadFromJsonAsync<ProblemBody>())!.Detail);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        var wrong = await http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("wrong", (await wrong.Content.ReadFromJsonAsync<ProblemBody>())!.Detail);
        nodes.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // refused before any actor was asked

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        var list = http.GetAsync("/nodes");
        await nodes.ExpectMsgAsync<NodeProtocol.ListNodes>();
        nodes.Reply(new NodeProtocol.NodeList([]));
        Assert.Equal(HttpStatusCode.OK, (await list).StatusCode);
    }

    private sealed record ProblemBody(string Detail);
}
