using System.Net;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.Cluster.Tests.Api;

public sealed class OpenApiTests(ITestOutputHelper output) : GatewayTestKit(output)
{
    [Fact]
    public async Task The_document_lists_every_contract_route_with_named_operations()
    {
        var response = await Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        (string Path, string Method, string OperationId)[] expected =
        [
            ("/cluster", "get", "ShowCluster"),
            ("/cluster/members/{node}/leave", "post", "LeaveCluster"),
            ("/cluster/members/{node}/down", "post", "DownNode"),
            ("/volumes", "get", "ListVolumes"),
            ("/volumes", "post", "CreateVolume"),
            ("/volumes/{name}", "get", "GetVolume"),
            ("/volumes/{name}", "delete", "DeleteVolume"),
            ("/volumes/{name}/attach", "post", "AttachVolume"),
            ("/volumes/{name}/detach", "post", "DetachVolume"),
            ("/volumes/{name}/expand", "post", "ExpandVolume"),
            ("/volumes/{name}/replicas", "get", "ListReplicas"),
            ("/volumes/{name}/snapshots", "get", "ListSnapshots"),
            ("/volumes/{name}/snapshots", "post", "CreateSnapshot"),
            ("/volumes/{name}/snapshots/{snapshot}", "delete", "DeleteSnapshot"),
            ("/volumes/{name}/purge", "post", "PurgeSnapshots"),
            ("/volumes/{name}/revert", "post", "RevertVolume"),
            ("/nodes", "get", "ListNodes"),
            ("/nodes/{node}", "get", "GetNode"),
            ("/nodes/{node}/schedule", "post", "SetNodeSchedulable"),
            ("/nodes/{node}/disks", "post", "AddDisk"),
            ("/nodes/{node}/disks/{disk}", "delete", "RemoveDisk"),
            ("/nodes/{node}/disks/{disk}/schedule", "post", "SetDiskSchedulable"),
        ];
        foreach (var (path, method, operationId) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"the document has no {path}");
            Assert.True(item.TryGetProperty(method, out var operation), $"the document has no {method} {path}");
            Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
            Assert.False(string.IsNullOrEmpty(operation.GetProperty("summary").GetString()));
        }
    }
}
