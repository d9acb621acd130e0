using System.Net;
using System.Runtime.InteropServices;
using ActorStore.Cluster.Api;
using ActorStore.Cluster.Backups;
using ActorStore.Cluster.Jobs;
using ActorStore.Cluster.Nodes;
using ActorStore.Cluster.Scheduling;
using ActorStore.Cluster.Volumes;
using ActorStore.Volume;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Frontend.Nbd;
using ActorStore.Volume.Replicas;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence.Sql;

namespace ActorStore.Cluster.Hosting;

/// <summary>
/// Starts the node (DESIGN §1–2) in dependency order — actor system and cluster, NBD server, node
/// agent and directory, volume registry, volume shards, gateway — prints one ready line with the bound
/// endpoints, and on SIGTERM/SIGINT stops in reverse: NBD drained first, then the engines stop and
/// flush, then the replicas close cleanly.
/// </summary>
public static class NodeHost
{
    public static async Task<int> RunAsync(Config config)
    {
        NodeSettings node;
        VolumeSettings volume;
        BackupSettings backup;
        try
        {
            node = NodeSettings.Create(config);
            volume = VolumeSettings.Create(config);
            backup = BackupSettings.Create(config);
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine($"actorstore-node: {e.Message}");
            return 2;
        }
        var downAfter = config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause", TimeSpan.FromSeconds(3))
            + config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after", TimeSpan.FromSeconds(20));
        if (volume.EngineLeaseDuration >= downAfter)
        {
            Console.Error.WriteLine($"actorstore-node: actorstore.volume.engine-lease ({volume.EngineLeaseDuration.TotalSeconds:0.#} s) must be shorter than the time the cluster takes to down a silent node ({downAfter.TotalSeconds:0.#} s: failure-detector.acceptable-heartbeat-pause + split-brain-resolver.stable-after)");
            return 2;
        }
        Directory.CreateDirectory(node.DataDir);
        var system = ActorSystem.Create("actorstore", AkkaConfig.For(node, config));
        SqlPersistence.Get(system);
        var cluster = Akka.Cluster.Cluster.Get(system);
        node.Endpoints.Remote = cluster.SelfAddress.ToString();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        var joinThrough = KnownMembers.JoinTargets(cluster.SelfAddress, node.Seeds, node.DataDir);
        if (joinThrough.Count > 1) system.Log.Info("Joining the cluster through {0}", string.Join(", ", joinThrough));
        cluster.JoinSeedNodes(joinThrough);
        if (await Task.WhenAny(up.Task, Task.Delay(TimeSpan.FromSeconds(120))) != up.Task)
        {
            Console.Error.WriteLine($"actorstore-node: could not join the cluster through {string.Join(", ", joinThrough)} within 120 s; check --seed and that the seeds run");
            await system.Terminate();
            return 1;
        }

        var exports = new NbdExports();
        var nbd = new NbdServer(exports, node.NbdLimits with { BindAddress = IPAddress.Parse(node.NbdHost), Port = node.NbdPort },
            line => system.Log.Info("NBD {0}", line));
        var nbdBound = await nbd.StartAsync();
        node.Endpoints.Nbd = $"{node.NbdHost}:{nbdBound.Port}";

        string clusterId;
        DataSecret secret;
        try
        {
            (clusterId, secret) = await ClusterIdentity.LoadAsync(system, node.DataDir, TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"actorstore-node: {e.Message}");
            await nbd.DisposeAsync();
            await system.Terminate();
            return 2;
        }
        var locals = new LocalReplicas();
        var data = new NodeDataServer(locals, new IPEndPoint(IPAddress.Parse(node.DataHost), node.DataPort), secret, log: line => system.Log.Warning("Data port: {0}", line));
        node.Endpoints.Data = $"{node.DataHost}:{(await data.StartAsync()).Port}";
        var replicas = system.ActorOf(ReplicaHost.Props(node, volume, locals, data), NodeDirectory.ReplicaHostName);
        var lease = new NodeLease(volume.EngineLeaseDuration);
        system.ActorOf(LeaseKeeper.Props(lease), LeaseKeeper.Name);
        system.ActorOf(KnownMembers.Props(node.DataDir), "known-members");
        system.ActorOf(NodeAgent.Supervised(node, replicas, volume.JournalSnapshotEvery), NodeDirectory.AgentName);
        var nodes = system.ActorOf(NodeDirectory.Props(new PlacementPolicy(node.OverProvisioningPercent, node.MinimalAvailablePercent), node.AskTimeout), "nodes");
        system.ActorOf(ClusterSingletonManager.Props(VolumeRegistry.Props(volume.JournalSnapshotEvery), PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system).WithRole("actorstore")), "volume-registry");
        var registry = system.ActorOf(ClusterSingletonProxy.Props("/user/volume-registry", ClusterSingletonProxySettings.Create(system).WithRole("actorstore")), "volume-registry-proxy");

        // The engines of the volumes attached here, before the controllers that remember-entities restarts look for them;
        // they report to their controllers through the shard region.
        var engines = system.ActorOf(EngineHost.Props(new EngineEnvironment(node.NodeId, volume, locals, secret, new ReplicaCalls(nodes, volume.ReplicaCommandTimeout),
            exports, node.Endpoints.Nbd, system.ActorSelection("/system/sharding/volume"), volume.ReplicaCommandTimeout * 2, lease)), EngineHost.Name);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "stop-engines",
            async () => { await engines.Ask<Akka.Done>(EngineHost.StopAll.Instance, volume.ReplicaCommandTimeout * 2); return Akka.Done.Instance; });

        var host = new VolumeHost(node.NodeId, nodes, registry, volume);
        var sharding = ClusterSharding.Get(system);
        var shardSettings = ClusterShardingSettings.Create(system).WithRole("actorstore");
        var volumes = await sharding.StartAsync("volume", name => VolumeActor.Props(name, host), shardSettings, new VolumeMessageExtractor(),
            sharding.DefaultShardAllocationStrategy(shardSettings), VolumeActor.Stop.Instance);
        system.ActorOf(ReplicaAudit.Props(node.NodeId, replicas, registry, volumes, volume, node.AskTimeout), ReplicaAudit.Name);
        system.ActorOf(ClusterSingletonManager.Props(BackupCoordinator.Props(volumes, nodes, node.AskTimeout, backup.Silence, backup.StandbyPoll, volume.JournalSnapshotEvery), PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(system).WithRole("actorstore")), BackupCoordinator.Name);
        var backups = system.ActorOf(ClusterSingletonProxy.Props($"/user/{BackupCoordinator.Name}", ClusterSingletonProxySettings.Create(system).WithRole("actorstore")),
            BackupCoordinator.ProxyName);
        system.ActorOf(BackupRunner.Props(node.NodeId, locals, backups, backup.Store), BackupRunner.Name);
        system.ActorOf(ClusterSingletonManager.Props(RecurringJobs.Props(registry, volumes, backups, node.AskTimeout, backup.Store, volume.JournalSnapshotEvery), PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(system).WithRole("actorstore")), RecurringJobs.Name);
        var jobs = system.ActorOf(ClusterSingletonProxy.Props($"/user/{RecurringJobs.Name}", ClusterSingletonProxySettings.Create(system).WithRole("actorstore")),
            RecurringJobs.ProxyName);


        var gateway = await GatewayHost.StartAsync(
            new GatewayTargets(system, volumes, registry, nodes, backups, jobs, node.NodeId, clusterId, node.Endpoints.Nbd, volume.DefaultReplicas, node.AskTimeout, backup.Store),
            new GatewayOptions(node.ApiHost, node.ApiPort, node.ApiToken));
        node.Endpoints.Api = gateway.Url.ToString().TrimEnd('/');

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        using var dropHook = node.FaultHooks ? PosixSignalRegistration.Create((PosixSignal)10 /* SIGUSR1 */, c =>
        {
            c.Cancel = true;
            system.Log.Warning("Fault hook (SIGUSR1): dropping every data connection");
            data.DropConnections();
        }) : null;
        Console.WriteLine($"actorstore-node ready node={node.NodeId} remote={node.Endpoints.Remote} api={node.Endpoints.Api} nbd={node.Endpoints.Nbd} data-port={node.Endpoints.Data} data={node.DataDir}");
        await Task.WhenAny(stop.Task, system.WhenTerminated);

        // Stop taking I/O first (in-flight requests finish, later ones get ESHUTDOWN), then let the
        // engines flush (coordinated shutdown's service-unbind phase) and the replicas close.
        await nbd.StopAsync();
        await gateway.StopAsync();
        await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await system.WhenTerminated;
        await data.DisposeAsync();
        await nbd.DisposeAsync();
        return 0;
    }
}
