using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// The node's REST gateway as a test uses it: typed calls that return the contract records and throw
/// <see cref="ApiException"/> on an error, and <see cref="SendAsync"/> for the bad-input tests that need
/// the raw status and problem body.
/// </summary>
public sealed class Gateway : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;

    public Gateway(Uri baseAddress)
    {
        BaseAddress = baseAddress;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public Task<VolumeInfo> CreateVolumeAsync(string name, long size, int? replicas = null) =>
        CallAsync<VolumeInfo>(HttpMethod.Post, "/volumes", new CreateVolume(name, size, replicas));

    public Task<VolumeInfo> GetVolumeAsync(string name) => CallAsync<VolumeInfo>(HttpMethod.Get, $"/volumes/{name}");

    public Task<VolumeInfo[]> ListVolumesAsync() => CallAsync<VolumeInfo[]>(HttpMethod.Get, "/volumes");

    public Task<VolumeInfo> AttachAsync(string name) => CallAsync<VolumeInfo>(HttpMethod.Post, $"/volumes/{name}/attach", new AttachVolume());

    /// <summary>Attach on <paramref name="node"/>, whichever node's gateway this is.</summary>
    public Task<VolumeInfo> AttachToAsync(string name, string node) => CallAsync<VolumeInfo>(HttpMethod.Post, $"/volumes/{name}/attach", new AttachVolume(node));

    public Task<VolumeInfo> DetachAsync(string name) => CallAsync<VolumeInfo>(HttpMethod.Post, $"/volumes/{name}/detach");

    public Task<VolumeInfo> RevertAsync(string name, string snapshot) =>
        CallAsync<VolumeInfo>(HttpMethod.Post, $"/volumes/{name}/revert", new RevertVolume(snapshot));

    public Task DeleteVolumeAsync(string name) => CallAsync<object>(HttpMethod.Delete, $"/volumes/{name}");

    public Task<SnapshotInfo> SnapshotAsync(string volume, string? name = null) =>
        CallAsync<SnapshotInfo>(HttpMethod.Post, $"/volumes/{volume}/snapshots", new CreateSnapshot(name));

    public Task<SnapshotInfo[]> ListSnapshotsAsync(string volume) => CallAsync<SnapshotInfo[]>(HttpMethod.Get, $"/volumes/{volume}/snapshots");

    public Task DeleteSnapshotAsync(string volume, string snapshot) => CallAsync<object>(HttpMethod.Delete, $"/volumes/{volume}/snapshots/{snapshot}");

    public Task<SnapshotInfo[]> PurgeAsync(string volume) => CallAsync<SnapshotInfo[]>(HttpMethod.Post, $"/volumes/{volume}/purge");

    public Task<ReplicaInfo[]> ListReplicasAsync(string volume) => CallAsync<ReplicaInfo[]>(HttpMethod.Get, $"/volumes/{volume}/replicas");

    public Task<EventInfo[]> ListEventsAsync(string volume) => CallAsync<EventInfo[]>(HttpMethod.Get, $"/volumes/{volume}/events");

    public Task<VolumeRebuildInfo[]> ListRebuildsAsync() => CallAsync<VolumeRebuildInfo[]>(HttpMethod.Get, "/rebuilds");

    public Task<OrphanInfo[]> ListOrphansAsync(string node) => CallAsync<OrphanInfo[]>(HttpMethod.Get, $"/nodes/{node}/orphans");

    public Task DeleteOrphanAsync(string node, string replica) => CallAsync<object>(HttpMethod.Delete, $"/nodes/{node}/orphans/{replica}");

    public Task<EvictionInfo> EvictNodeAsync(string node) => CallAsync<EvictionInfo>(HttpMethod.Post, $"/nodes/{node}/evict");

    public Task<NodeInfo[]> ListNodesAsync() => CallAsync<NodeInfo[]>(HttpMethod.Get, "/nodes");

    public Task<ClusterInfo> ShowClusterAsync() => CallAsync<ClusterInfo>(HttpMethod.Get, "/cluster");

    public Task<BackupInfo[]> ListBackupsAsync(string volume) => CallAsync<BackupInfo[]>(HttpMethod.Get, $"/backups?volume={volume}");

    /// <summary>Create and attach: the usual start of a client test. Returns the attached volume.</summary>
    public async Task<VolumeInfo> CreateAttachedAsync(string name, long size, int? replicas = null)
    {
        await CreateVolumeAsync(name, size, replicas);
        return await AttachAsync(name);
    }

    /// <summary>A raw call: any method, path and body (already JSON, or deliberately not).</summary>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType));
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var type = response.Content.Headers.ContentType?.MediaType;
        Problem? problem = null;
        if (type == "application/problem+json")
        {
            try
            {
                problem = JsonSerializer.Deserialize<Problem>(text, Json);
            }
            catch (JsonException)
            {
                // Left null: the test asserting a problem detail then fails with the raw body in its message.
            }
        }
        return new ApiResponse(response.StatusCode, type, text, problem);
    }

    public Task<ApiResponse> SendJsonAsync<T>(HttpMethod method, string path, T body) =>
        SendAsync(method, path, JsonSerializer.Serialize(body, Json));

    /// <summary>Any route whose answer is JSON: the answer, or an <see cref="ApiException"/> for a non-2xx.</summary>
    public Task<T> CallJsonAsync<T>(HttpMethod method, string path, object? body) => CallAsync<T>(method, path, body);

    private async Task<T> CallAsync<T>(HttpMethod method, string path, object? body = null)
    {
        var response = await SendAsync(method, path, body is null ? null : JsonSerializer.Serialize(body, body.GetType(), Json));
        if ((int)response.Status is < 200 or > 299) throw new ApiException($"{method} {path}", response);
        if (typeof(T) == typeof(object) || response.Body.Length == 0) return default!;
        return JsonSerializer.Deserialize<T>(response.Body, Json)
            ?? throw new ApiException($"{method} {path} returned null", response);
    }

    public void Dispose() => _http.Dispose();
}
