using System.Text.Json;
using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.Cli.Tests;

/// <summary>Answers like the gateway's, one per route of ApiContracts.cs.</summary>
public static class Canned
{
    public static readonly DateTimeOffset Created = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public static readonly ReplicaInfo Replica = new("r-1", "node-1", "disk-a", ReplicaModes.ReadWrite, null, null);

    public static readonly VolumeInfo Volume = new("vol-1", Guid.Parse("6f1c2a3b-0000-4000-8000-000000000001"), 1L << 30, 2,
        VolumeStates.Attached, VolumeStates.Healthy, "node-1", "10.0.0.1:10809", 3, 1, Created,
        [Replica, Replica with { Id = "r-2", Node = "node-2", Mode = ReplicaModes.Error, Failure = "disk I/O error" }]);

    public static readonly EventInfo Event = new(Created, "vol-1", "rebuilt", "r-2", "node-2", "1048576 bytes copied and checked; read-write");

    public static readonly RebuildInfo Rebuild = new("r-2", "node-2", "r-1", Created, "r-0", 256L << 20, 1L << 30, 256L << 20, 64 << 20, 25, 12);

    public static readonly SnapshotInfo Snapshot = new("snap-1", null, Created, true, false, 4L << 20, null);

    public static readonly DiskInfo Disk = new("disk-a", "node-1", "/var/lib/actorstore/a", true, 100L << 30, 60L << 30, 10L << 30, 3);

    public static readonly NodeInfo Node = new("node-1", "akka.tcp://actorstore@10.0.0.1:4053", "up", true, "10.0.0.1:9500", "10.0.0.1:10809", [Disk]);

    public static readonly ClusterInfo Cluster = new("c-1", "node-1", "node-1",
        [new MemberInfo("node-1", "akka.tcp://actorstore@10.0.0.1:4053", "up", ["storage"])]);

    public static string Serialize(object value) => JsonSerializer.Serialize(value, value.GetType(), Json.Options);

    /// <summary>The gateway's answer to <paramref name="request"/>: the right shape and status for its route.</summary>
    public static FakeGateway.Reply Answer(FakeGateway.Request request)
    {
        var path = request.Path.Trim('/').Split('/');
        return (request.Method, path) switch
        {
            ("DELETE", _) => new(204),
            ("GET", ["cluster"]) => Ok(Cluster),
            ("POST", ["cluster", "members", _, _]) => new(202),
            ("GET", ["volumes"]) => Ok(new[] { Volume }),
            ("POST", ["volumes"]) => Ok(Volume with { State = VolumeStates.Detached, AttachedTo = null, Endpoint = null }, 201),
            ("GET", ["volumes", _]) => Ok(Volume),
            ("GET", ["volumes", _, "snapshots"]) => Ok(new[] { Snapshot, Snapshot with { Name = "snap-2", Parent = "snap-1", Removed = true } }),
            ("POST", ["volumes", _, "snapshots"]) => Ok(Snapshot, 201),
            ("POST", ["volumes", _, "purge"]) => Ok(new[] { Snapshot }),
            ("POST", ["volumes", _, "expand"]) => Ok(Volume with { Size = 2L << 30 }),
            ("POST", ["volumes", _, _]) => Ok(Volume),
            ("GET", ["nodes"]) => Ok(new[] { Node }),
            ("GET", ["nodes", _]) => Ok(Node),
            ("GET", ["nodes", _, "events"]) => Ok(new[] { Event }),
            ("GET", ["nodes", var node, "orphans"]) => Ok(new[] { new OrphanInfo("old-r1", node, "disk-1", 1L << 30, Guid.Empty, "no volume has id 00000000-0000-0000-0000-000000000000") }),
            ("GET", ["volumes", _, "events"]) => Ok(new[] { Event }),
            ("GET", ["rebuilds"]) => Ok(new[] { new VolumeRebuildInfo("vol-1", Rebuild) }),
            ("POST", ["nodes", _, "schedule"]) => Ok(Node with { Schedulable = false }),
            ("POST", ["nodes", var node, "evict"]) => Ok(new EvictionInfo(node, null, 2, ["vol-1", "vol-2"], ["vol-2"])),
            ("POST", ["nodes", var node, "disks", var disk, "evict"]) => Ok(new EvictionInfo(node, disk, 1, ["vol-1"], [])),
            ("POST", ["nodes", _, "disks"]) => Ok(Disk, 201),
            ("POST", ["nodes", _, "disks", _, "schedule"]) => Ok(Disk with { Schedulable = false }),
            _ => Problem(404, "Not Found", $"no route {request.Method} {request.Path}"),
        };
    }

    public static FakeGateway.Reply Ok(object value, int status = 200) => new(status, Serialize(value));

    public static FakeGateway.Reply Problem(int status, string title, string? detail) =>
        new(status, Serialize(new Dictionary<string, object?> { ["type"] = "about:blank", ["title"] = title, ["status"] = status, ["detail"] = detail }),
            "application/problem+json");
}
