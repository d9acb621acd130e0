using System.Net;
using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Frontend.Nbd;
using ActorStore.Volume.Protocol;
using ActorStore.Volume.Replicas;
using ActorStore.Volume.Tests.Replicas;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Xunit;
using static ActorStore.Volume.Protocol.VolumeProtocol;

namespace ActorStore.Volume.Tests.Engine;

/// <summary>
/// The volume actor with real replica actors on disk, reached through their data endpoints (the socket
/// path), and an in-memory journal: a replica that dies under I/O is failed and persisted before the
/// write that found it answers, the volume keeps serving as degraded, and a restarted actor remembers.
/// </summary>
public sealed class VolumeActorTests() : TestKit(Config)
{
    private const string Config = """
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        akka.loglevel = WARNING
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_replica_that_dies_under_io_is_failed_and_the_volume_serves_degraded_and_remembers()
    {
        using var dir = new TempDirectory();
        var locals = new LocalReplicas();
        var nodes = Sys.ActorOf(Props.Create(() => new TestNodes(dir.Path, locals)), "nodes");
        var exports = new NbdExports();
        var settings = VolumeSettings.Default with { ForceSocket = true, ReplicaRequestTimeout = TimeSpan.FromSeconds(5) };
        var host = new VolumeHost("n1", exports, locals, nodes, CreateTestProbe().Ref, settings);
        var volume = Sys.ActorOf(VolumeActor.Props("v1", host));

        var created = await volume.Ask<VolumeView>(new Create("v1", 16 << 20, 2), Patience);
        Assert.Equal(["RW", "RW"], created.Replicas.Select(r => r.Mode == ReplicaMode.ReadWrite ? "RW" : "?"));
        var attached = await volume.Ask<VolumeView>(new Attach("v1", "n1"), Patience);
        Assert.Equal("attached", attached.State);
        Assert.True(exports.TryGet("v1", out var io));

        var data = new byte[64 << 10];
        new Random(3).NextBytes(data);
        Assert.Equal(IoStatus.Ok, await io.WriteAsync(0, data, fua: true));

        // Kill the second replica's actor: its data endpoint closes under the engine.
        var victim = created.Replicas[1].Id;
        var replicaActor = await Sys.ActorSelection($"/user/nodes/{victim}").ResolveOne(Patience);
        Watch(replicaActor);
        replicaActor.Tell(PoisonPill.Instance);
        ExpectTerminated(replicaActor, Patience);

        Assert.Equal(IoStatus.Ok, await io.WriteAsync(1 << 20, data, fua: true));
        var degraded = await volume.Ask<VolumeView>(new Get("v1"), Patience);
        Assert.Equal("degraded", degraded.Robustness);
        Assert.Equal(ReplicaMode.Error, degraded.Replicas.Single(r => r.Id == victim).Mode);
        var back = new byte[data.Length];
        Assert.Equal(IoStatus.Ok, await io.ReadAsync(1 << 20, back));
        Assert.Equal(data, back);

        // A new incarnation replays the ERR and serves from the healthy replica under a higher epoch.
        Watch(volume);
        volume.Tell(VolumeActor.Stop.Instance);
        ExpectTerminated(volume, Patience);
        var again = Sys.ActorOf(VolumeActor.Props("v1", host));
        await AwaitAssertAsync(async () =>
        {
            var view = await again.Ask<VolumeView>(new Get("v1"), Patience);
            Assert.Equal("attached", view.State);
            Assert.Equal(ReplicaMode.Error, view.Replicas.Single(r => r.Id == victim).Mode);
            Assert.True(view.Epoch > attached.Epoch);
        }, Patience);
        Assert.True(exports.TryGet("v1", out var io2));
        Assert.Equal(IoStatus.Ok, await io2.ReadAsync(0, back));
        Assert.Equal(data, back);
    }

    /// <summary>Stands in for the node directory and agent of one node "n1" with two disks under a temp directory.</summary>
    private sealed class TestNodes : ReceiveActor
    {
        public TestNodes(string root, LocalReplicas locals)
        {
            Receive<PlacementProtocol.PlaceReplicas>(p => Sender.Tell(new PlacementProtocol.Placed(p.Volume,
                Enumerable.Range(1, p.Count).Select(i => new PlacementProtocol.Placement("n1", $"d{i}")).ToArray())));
            Receive<IReplicaCommand>(c =>
            {
                var child = Context.Child(c.ReplicaId);
                if (!child.IsNobody()) child.Forward(c);
                else if (c is ReplicaProtocol.CreateReplica create)
                    Context.ActorOf(ReplicaActor.Props(new ReplicaActorSettings(create.ReplicaId, "n1", create.Disk, Path.Combine(root, create.Disk, create.ReplicaId),
                        IPAddress.Loopback, "akka://test", locals, new ReplicaOptions(), new ReplicaDataServerOptions(), create), Sender), create.ReplicaId);
                else Sender.Tell(new ReplicaProtocol.Done(c.ReplicaId, c.RequestId, ReplicaStatus.NotFound, "gone"));
            });
        }
    }
}
