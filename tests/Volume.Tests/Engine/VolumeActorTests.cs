using System.Net;
using ActorStore.Blocks;
using ActorStore.Tests.Shared;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Frontend.Nbd;
using ActorStore.Volume.Io;
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
/// write that found it answers, the volume keeps serving as degraded, and a restarted actor remembers
/// (from a snapshot of its record, saved every 3 events here, and the events after it).
/// </summary>
public sealed class VolumeActorTests() : TestKit(Config)
{
    private const string Config = """
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        akka.loglevel = WARNING
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly List<NodeDataServer> _data = [];

    protected override void AfterAll()
    {
        base.AfterAll();
        foreach (var data in _data) data.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Fact]
    public async Task A_replica_that_dies_under_io_is_failed_and_the_volume_serves_degraded_and_remembers()
    {
        using var dir = new TempDirectory();
        var locals = new LocalReplicas();
        var exports = new NbdExports();
        var host = Start(dir.Path, locals, exports);
        var volume = Sys.ActorOf(VolumeActor.Props("v1", host), "v1");

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

        // A new incarnation of the controller replays the ERR and finds its engine still serving, untouched.
        Watch(volume);
        volume.Tell(VolumeActor.Stop.Instance);
        ExpectTerminated(volume, Patience);
        Assert.Equal(IoStatus.Ok, await io.ReadAsync(0, back));
        var again = Sys.ActorOf(VolumeActor.Props("v1", host), "v1");
        await AwaitAssertAsync(async () =>
        {
            var view = await again.Ask<VolumeView>(new Get("v1"), Patience);
            Assert.Equal("attached", view.State);
            Assert.Equal(ReplicaMode.Error, view.Replicas.Single(r => r.Id == victim).Mode);
            Assert.Equal(attached.Epoch, view.Epoch);
        }, Patience);
        Assert.True(exports.TryGet("v1", out var io2));
        Assert.Same(io, io2);
        Assert.Equal(IoStatus.Ok, await io2.ReadAsync(0, back));
        Assert.Equal(data, back);

        // Detached: the engine flushes and stops, the export is gone.
        var detached = await again.Ask<VolumeView>(new Detach("v1"), Patience);
        Assert.Equal("detached", detached.State);
        Assert.False(exports.TryGet("v1", out _));
    }

    /// <summary>One node "n1": its directory (replicas and engines), its engine host, and a stand-in for the shard region.</summary>
    private VolumeHost Start(string root, LocalReplicas locals, NbdExports exports)
    {
        var settings = VolumeSettings.Default with { ForceSocket = true, ReplicaRequestTimeout = TimeSpan.FromSeconds(5), JournalSnapshotEvery = 3 };
        var secret = DataSecret.Create();
        var data = new NodeDataServer(locals, new IPEndPoint(IPAddress.Loopback, 0), secret);
        _data.Add(data);
        data.StartAsync().GetAwaiter().GetResult();
        var nodes = Sys.ActorOf(Props.Create(() => new TestNodes(root, locals, data)), "nodes");
        Sys.ActorOf(Props.Create(() => new TestVolumes()), "volumes");
        Sys.ActorOf(EngineHost.Props(new EngineEnvironment("n1", settings, locals, secret, new ReplicaCalls(nodes, settings.ReplicaCommandTimeout), exports,
            "127.0.0.1:10809", Sys.ActorSelection("/user/volumes"), TimeSpan.FromSeconds(30))), EngineHost.Name);
        return new VolumeHost("n1", nodes, CreateTestProbe().Ref, settings);
    }

    /// <summary>Stands in for the shard region: a volume's messages go to the actor named after it.</summary>
    private sealed class TestVolumes : ReceiveActor
    {
        public TestVolumes() => Receive<IWithVolumeName>(m => Context.ActorSelection("/user/" + m.Volume).Tell(m, Sender));
    }

    /// <summary>
    /// Every replica failed: one behind (it missed a flush), one with corrupt metadata, one intact and fresh.
    /// A salvage serves from the fresh one, says why, and leaves the other two ERR with their reasons.
    /// </summary>
    [Fact]
    public async Task A_salvage_serves_the_freshest_intact_replica_and_leaves_the_stale_and_the_corrupt_ones_failed()
    {
        using var dir = new TempDirectory();
        var locals = new LocalReplicas();
        var exports = new NbdExports();
        var host = Start(dir.Path, locals, exports);
        var volume = Sys.ActorOf(VolumeActor.Props("v2", host), "v2");
        var created = await volume.Ask<VolumeView>(new Create("v2", 16 << 20, 3), Patience);
        await volume.Ask<VolumeView>(new Attach("v2", "n1"), Patience);
        Assert.True(exports.TryGet("v2", out var io));
        var (stale, corrupt, fresh) = (created.Replicas[0].Id, created.Replicas[1].Id, created.Replicas[2].Id);
        var data = new byte[64 << 10];
        new Random(5).NextBytes(data);
        Assert.Equal(IoStatus.Ok, await io.WriteAsync(0, data, fua: true));

        await KillAsync(locals, stale);
        Assert.Equal(IoStatus.Ok, await io.WriteAsync(1 << 20, data, fua: true)); // the stale one misses this flush
        await KillAsync(locals, corrupt);
        await KillAsync(locals, fresh);
        Assert.Equal(IoStatus.IoError, await io.WriteAsync(2 << 20, data, fua: true));
        Assert.Equal("faulted", (await volume.Ask<VolumeView>(new Get("v2"), Patience)).Robustness);
        var meta = Directory.GetFiles(dir.Path, "volume.meta", SearchOption.AllDirectories).Single(f => f.Contains(corrupt, StringComparison.Ordinal));
        File.WriteAllText(meta, "{ not metadata");

        var salvaged = await volume.Ask<VolumeView>(new VolumeProtocol.Salvage("v2"), Patience);
        Assert.Equal("degraded", salvaged.Robustness);
        Assert.Equal([ReplicaMode.Error, ReplicaMode.Error, ReplicaMode.ReadWrite], salvaged.Replicas.Select(r => r.Mode));
        var report = salvaged.LastSalvage!;
        Assert.Equal(fresh, report.Source);
        Assert.Empty(report.Reconciled);
        Assert.Contains(report.Left, l => l.ReplicaId == stale && l.Why.Contains("behind", StringComparison.Ordinal));
        Assert.Contains(report.Left, l => l.ReplicaId == corrupt && l.Why.Contains("did not open", StringComparison.Ordinal));
        var back = new byte[data.Length];
        Assert.Equal(IoStatus.Ok, await io.ReadAsync(1 << 20, back)); // the same export serves again
        Assert.Equal(data, back);
    }

    /// <summary>Stops the replica's actor and waits for its files to be closed (off the actor's thread, after it stops), so no late metadata write follows.</summary>
    private async Task KillAsync(LocalReplicas locals, string replicaId)
    {
        var actor = await Sys.ActorSelection($"/user/nodes/{replicaId}").ResolveOne(Patience);
        Watch(actor);
        actor.Tell(PoisonPill.Instance);
        ExpectTerminated(actor, Patience);
        await locals.WhenClosedAsync(replicaId).WaitAsync(Patience);
    }

    /// <summary>Stands in for the node directory and agent of one node "n1" with two disks under a temp directory.</summary>
    private sealed class TestNodes : ReceiveActor
    {
        public TestNodes(string root, LocalReplicas locals, NodeDataServer data)
        {
            Receive<EngineProtocol.IEngineCommand>(c => Context.ActorSelection("/user/" + EngineHost.Name).Tell(c, Sender));
            Receive<PlacementProtocol.PlaceReplicas>(p => Sender.Tell(new PlacementProtocol.Placed(p.Volume,
                Enumerable.Range(1, p.Count).Select(i => new PlacementProtocol.Placement("n1", $"d{i}")).ToArray())));
            Receive<IReplicaCommand>(c =>
            {
                var child = Context.Child(c.ReplicaId);
                var dir = Directory.GetDirectories(root, c.ReplicaId, SearchOption.AllDirectories).FirstOrDefault();
                if (!child.IsNobody()) child.Forward(c);
                else if (c is ReplicaProtocol.CreateReplica create)
                    Context.ActorOf(ReplicaActor.Props(Settings(create.ReplicaId, create.Disk, Path.Combine(root, create.Disk, create.ReplicaId), create), Sender), create.ReplicaId);
                else if (dir is not null) // a replica whose actor stopped: opened again, as a node agent would at start
                    Context.ActorOf(ReplicaActor.Props(Settings(c.ReplicaId, Path.GetFileName(Path.GetDirectoryName(dir))!, dir, null)), c.ReplicaId).Forward(c);
                else Sender.Tell(new ReplicaProtocol.Done(c.ReplicaId, c.RequestId, ReplicaOutcome.NotFound, "gone"));
            });

            ReplicaActorSettings Settings(string id, string disk, string dir, ReplicaProtocol.CreateReplica? create) =>
                new(id, "n1", disk, dir, data.Endpoint!, data, "akka://test", locals, new ReplicaOptions(), create);
        }
    }
}
