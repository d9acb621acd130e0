using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ActorStore.Cluster.Api;
using ActorStore.Cluster.Api.Contracts;
using ActorStore.Cluster.Protocol;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Protocol;
using Akka.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Cluster.Tests.Api;

/// <summary>
/// A gateway on 127.0.0.1 (port 0) with probes standing in for the volume region, the registry and the
/// node directory. A test starts a request, expects the message on a probe, replies, then checks the response.
/// </summary>
public abstract class GatewayTestKit(ITestOutputHelper output, string config = "") : Akka.TestKit.Xunit2.TestKit(config, output), IAsyncLifetime
{
    protected const string ThisNode = "n1";
    protected const string ThisNbd = "10.0.0.1:10809";
    protected static readonly DateTimeOffset Created = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly List<(GatewayHost Host, HttpClient Client)> _gateways = [];

    protected TestProbe Volumes { get; private set; } = null!;
    protected TestProbe Registry { get; private set; } = null!;
    protected TestProbe Nodes { get; private set; } = null!;
    protected TestProbe Backups { get; private set; } = null!;
    protected HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Volumes = CreateTestProbe("volumes");
        Registry = CreateTestProbe("registry");
        Nodes = CreateTestProbe("nodes");
        Backups = CreateTestProbe("backups");
        Http = await StartGatewayAsync(TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync()
    {
        foreach (var (host, client) in _gateways)
        {
            client.Dispose();
            await host.DisposeAsync();
        }
    }

    /// <summary>Another gateway over the same probes, e.g. with a short ask timeout.</summary>
    protected async Task<HttpClient> StartGatewayAsync(TimeSpan askTimeout)
    {
        var targets = new GatewayTargets(Sys, Volumes.Ref, Registry.Ref, Nodes.Ref, Backups.Ref, CreateTestProbe().Ref, ThisNode, "test-cluster", ThisNbd, DefaultReplicas: 2, askTimeout);
        var host = await GatewayHost.StartAsync(targets, new GatewayOptions("127.0.0.1", 0));
        Assert.NotEqual(0, host.Url.Port);
        var client = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromSeconds(20) };
        _gateways.Add((host, client));
        return client;
    }

    /// <summary>Sends a request, expects <typeparamref name="T"/> on <paramref name="probe"/>, answers it, and returns the message and the response.</summary>
    protected static async Task<(T Message, HttpResponseMessage Response)> ExchangeAsync<T>(
        Task<HttpResponseMessage> request, TestProbe probe, Func<T, object> answer)
    {
        var message = await probe.ExpectMsgAsync<T>(TimeSpan.FromSeconds(5));
        probe.Reply(answer(message));
        return (message, await request);
    }

    protected static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<T>(JsonSerializerOptions.Web))!;
    }

    /// <summary>An RFC 7807 problem with this status and a detail, and nothing that looks like an exception.</summary>
    protected static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(text);
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("title").GetString()));
        var detail = json.RootElement.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.DoesNotContain("Exception", text);
        Assert.DoesNotContain("   at ", text);
        return detail!;
    }

    protected static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>A volume's view; attached, its engine serves at <paramref name="nbd"/> (this node's NBD endpoint when attached here).</summary>
    protected static VolumeProtocol.VolumeView View(string name, string state = VolumeStates.Detached, string? attachedTo = null, long size = 1L << 30, string? nbd = null) =>
        new(name, Guid.NewGuid(), size, 2, state, VolumeStates.Healthy, attachedTo, Epoch: 3, SnapshotCount: 1, Created,
            [
                new VolumeProtocol.ReplicaView("r1", "n1", "d1", ReplicaMode.ReadWrite, null, null),
                new VolumeProtocol.ReplicaView("r2", "n2", "d1", ReplicaMode.WriteOnly, null, null),
            ],
            NbdEndpoint: nbd ?? (attachedTo == ThisNode ? ThisNbd : null));

    protected static VolumeProtocol.SnapshotView Snapshot(string name, string? parent = null) =>
        new(name, parent, Created, UserCreated: true, Removed: false, Size: 4096, Labels: []);

    protected static NodeProtocol.DiskView Disk(string node, string name) =>
        new(name, node, $"/data/{name}", Schedulable: true, CapacityBytes: 1L << 40, AvailableBytes: 1L << 39, ScheduledBytes: 1L << 30, ReplicaCount: 1);

    protected static NodeProtocol.NodeView Node(string id, string? nbd = null) =>
        new(id, $"akka.tcp://actorstore@{id}:4053", "up", Schedulable: true, $"http://{id}:9500", nbd, [Disk(id, "d1")]);
}
