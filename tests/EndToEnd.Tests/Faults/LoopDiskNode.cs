using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Harness;
using ActorStore.Tests.Shared;

namespace ActorStore.EndToEnd.Tests.Faults;

/// <summary>
/// A node whose volumes go on two small ext4 loop disks a test can freeze or fill up (its own two disks are
/// made unschedulable), with a short replica request timeout, so a hung disk is found in seconds.
/// </summary>
public sealed class LoopDiskNode : IAsyncDisposable
{
    private LoopDiskNode(NodeProcess node, LoopDisk a, LoopDisk b)
    {
        Node = node;
        A = a;
        B = b;
    }

    public NodeProcess Node { get; }

    public LoopDisk A { get; }

    public LoopDisk B { get; }

    /// <param name="config">More HOCON for the node (one key per line).</param>
    public static async Task<LoopDiskNode> StartAsync(string nodeId, Func<NodeOptions, Task<NodeProcess>> start, int diskMegabytes = 256, string config = "")
    {
        var a = new LoopDisk(diskMegabytes);
        var b = new LoopDisk(diskMegabytes);
        try
        {
            var file = Path.Combine(RepoPaths.NewTempDirectory("conf"), "node.conf");
            await File.WriteAllTextAsync(file, "actorstore.volume.replica-request-timeout = 2s\n" + config);
            var node = await start(new NodeOptions { NodeId = nodeId, ExtraArgs = ["--config", file] });
            foreach (var disk in new[] { "disk-1", "disk-2" })
                await Expect(node.Api.SendJsonAsync(HttpMethod.Post, $"/nodes/{nodeId}/disks/{disk}/schedule", new SetSchedulable(false)));
            await Expect(node.Api.SendJsonAsync(HttpMethod.Post, $"/nodes/{nodeId}/disks", new AddDisk(a.Path, "loop-a")));
            await Expect(node.Api.SendJsonAsync(HttpMethod.Post, $"/nodes/{nodeId}/disks", new AddDisk(b.Path, "loop-b")));
            return new LoopDiskNode(node, a, b);
        }
        catch
        {
            a.Dispose();
            b.Dispose();
            throw;
        }
    }

    /// <summary>The loop disk a replica of the volume is on.</summary>
    public LoopDisk DiskOf(ReplicaInfo replica) => replica.Disk == "loop-a" ? A : B;

    /// <summary>The node is killed first: a disk is unmounted only when nothing holds it.</summary>
    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        A.Dispose();
        B.Dispose();
    }

    private static async Task Expect(Task<ApiResponse> call)
    {
        var response = await call;
        if ((int)response.Status is < 200 or > 299) throw new ApiException("setting up the loop disks", response);
    }
}
