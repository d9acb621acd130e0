using System.Diagnostics;
using ActorStore.Cluster.Nodes;
using ActorStore.Cluster.Tests.Nodes;
using ActorStore.Cluster.Volumes;
using ActorStore.Tests.Shared;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Xunit;
using Xunit.Abstractions;
using static ActorStore.Volume.Protocol.VolumeEvents;

namespace ActorStore.Cluster.Tests.Journal;

/// <summary>
/// A journal written in format 1 (committed under Journal/fixtures) is read back: every event and snapshot type,
/// on the SQLite journal a node uses. Set ACTORSTORE_WRITE_FIXTURE=1 to write it anew — only ever for a new format
/// next to the old ones, never over one that was released.
/// </summary>
public sealed class JournalFixtureTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset T = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid VolumeId = new("8a1c6a52-3f6f-4f0e-9a55-1d2e3f405162");

    private static readonly IPersistedEvent[] VolumeHistory =
    [
        new CreateRequested(VolumeId, 1L << 30, 2, T, [new NewReplica("vol-r1", "n1", "disk-1"), new NewReplica("vol-r2", "n2", "disk-1")]),
        new CreateCompleted(VolumeId),
        new Attached("n1", 1),
        new OperationRequested(Guid.Empty, OperationKind.Snapshot, "s1", 0, true, new Dictionary<string, string> { ["app"] = "db" }),
        new OperationCompleted(Guid.Empty, true, null),
        new ReplicaFailed("vol-r2", "write: TimedOut", T.AddHours(1), ReplicaFault.TimedOut),
        new ReplicaFailed("vol-r1", "write: IoError", T.AddHours(1), ReplicaFault.IoError),
        new ReplicasSalvaged("vol-r1", ["vol-r2"], [], "vol-r1 has the highest revision (7)", T.AddHours(2)),
        new EpochRaised(2),
        new Detached(),
    ];

    [Fact]
    public async Task The_format_1_journal_recovers_every_record()
    {
        var fixture = Path.Combine(FixtureDirectory(), "journal-format-1.db");
        if (Environment.GetEnvironmentVariable("ACTORSTORE_WRITE_FIXTURE") == "1") await WriteAsync(fixture);
        using var temp = new TempDirectory();
        var copy = temp.Sub("journal.db");
        File.Copy(fixture, copy);
        using var system = SqliteSystem(copy);

        var volume = await RecoverAsync<VolumeRecord>(system, "volume-vol", () => new VolumeRecord("vol"));
        Assert.True(volume.Exists && volume.CreateDone);
        Assert.Equal((1L << 30, 2L, (string?)null), (volume.Size, volume.Epoch, volume.AttachedTo));
        Assert.Equal([ReplicaMode.ReadWrite, ReplicaMode.ReadWrite], volume.Replicas.Select(r => r.Mode));
        Assert.Equal("vol-r1", volume.LastSalvage!.Source);

        var restored = await RecoverAsync<VolumeRecord>(system, "volume-snapped", () => new VolumeRecord("snapped"));
        Assert.Equal(ReplicaFault.TimedOut, restored.Replicas.Single(r => r.Id == "vol-r2").Fault); // from the snapshot
        Assert.Equal(3, restored.Epoch); // from the event after it

        var node = await RecoverAsync<List<IPersistedEvent>>(system, "node-n1", () => []);
        Assert.Contains(node, e => e is NodeEvents.NodeSnapshot { Disks.Count: 2 });
        Assert.Contains(node, e => e is NodeEvents.DiskSchedulingChanged { Name: "disk-2", Schedulable: false });
        var registry = await RecoverAsync<List<IPersistedEvent>>(system, "volume-registry", () => []);
        Assert.Contains(registry, e => e is RegistryEvents.RegistrySnapshot { Volumes.Count: 1 });
        Assert.Contains(registry, e => e is RegistryEvents.VolumeUnregistered { Volume: "gone" });
    }

    /// <summary>10,000 events and the snapshot a volume saves every 100: recovery starts at the snapshot.</summary>
    [Fact]
    public async Task A_volume_with_10000_events_recovers_from_its_snapshot()
    {
        using var temp = new TempDirectory();
        using var system = SqliteSystem(temp.Sub("journal.db"));
        var history = new List<IPersistedEvent> { VolumeHistory[0], VolumeHistory[1] };
        for (var epoch = 1; history.Count < 10_000; epoch++) history.AddRange([new Attached("n1", epoch), new Detached()]);
        var record = new VolumeRecord("big");
        foreach (var e in history.Cast<IVolumeEvent>()) record.Apply(e);
        await WriteAsync(system, "volume-big", history, snapshotAt: 9_900, snapshot: () =>
        {
            var partial = new VolumeRecord("big");
            foreach (var e in history.Take(9_900).Cast<IVolumeEvent>()) partial.Apply(e);
            return partial.ToSnapshot();
        });

        var clock = Stopwatch.StartNew();
        var recovered = await RecoverAsync<VolumeRecord>(system, "volume-big", () => new VolumeRecord("big"));
        output.WriteLine($"recovered 10,000 events' record in {clock.ElapsedMilliseconds} ms from the snapshot at 9,900 and 100 events");
        Assert.Equal(record.Epoch, recovered.Epoch);
        Assert.Equal(record.AttachedTo, recovered.AttachedTo);
    }

    private static async Task WriteAsync(string path)
    {
        if (File.Exists(path)) File.Delete(path);
        using var system = SqliteSystem(path);
        await WriteAsync(system, "volume-vol", VolumeHistory);
        await WriteAsync(system, "volume-snapped", [.. VolumeHistory[..6], new EpochRaised(3)], snapshotAt: 6, snapshot: () =>
        {
            var r = new VolumeRecord("snapped");
            foreach (var e in VolumeHistory[..6].Cast<IVolumeEvent>()) r.Apply(e);
            return r.ToSnapshot();
        });
        IPersistedEvent[] node = [new NodeEvents.DiskAdded("disk-1", "/d1", true), new NodeEvents.DiskAdded("disk-2", "/d2", true), new NodeEvents.NodeSchedulingChanged(false),
            new NodeEvents.DiskSchedulingChanged("disk-2", false), new NodeEvents.DiskRemoved("disk-1")];
        await WriteAsync(system, "node-n1", node, snapshotAt: 3,
            snapshot: () => new NodeEvents.NodeSnapshot([new NodeEvents.DiskAdded("disk-1", "/d1", true), new NodeEvents.DiskAdded("disk-2", "/d2", true)], false));
        IPersistedEvent[] registry = [new RegistryEvents.VolumeRegistered("vol", VolumeId), new RegistryEvents.VolumeRegistered("gone", Guid.Empty),
            new RegistryEvents.VolumeUnregistered("gone", Guid.Empty)];
        await WriteAsync(system, "volume-registry", registry, snapshotAt: 1, snapshot: () => new RegistryEvents.RegistrySnapshot([new RegistryEvents.VolumeRegistered("vol", VolumeId)]));
    }

    private static async Task WriteAsync(ActorSystem system, string id, IReadOnlyList<IPersistedEvent> events, long snapshotAt = 0, Func<object>? snapshot = null)
    {
        var writer = system.ActorOf(Props.Create(() => new Writer(id)));
        await writer.Ask<Done>(new Write(events, snapshotAt, snapshot), TimeSpan.FromMinutes(2));
        await writer.GracefulStop(TimeSpan.FromSeconds(10));
    }

    private static async Task<T> RecoverAsync<T>(ActorSystem system, string id, Func<T> empty)
    {
        var reader = system.ActorOf(Props.Create(() => new Reader<T>(id, empty())));
        var state = await reader.Ask<T>(Get.Instance, TimeSpan.FromMinutes(1));
        await reader.GracefulStop(TimeSpan.FromSeconds(10));
        return state;
    }

    private static ActorSystem SqliteSystem(string path)
    {
        var reference = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "reference.conf")));
        var config = ConfigurationFactory.ParseString($$"""
            akka.actor.provider = local
            akka.loglevel = WARNING
            akka.persistence.journal.sql.connection-string = "Data Source={{path}}"
            akka.persistence.journal.sql.provider-name = SQLite.MS
            akka.persistence.snapshot-store.sql.connection-string = "Data Source={{path}}"
            akka.persistence.snapshot-store.sql.provider-name = SQLite.MS
            """).WithFallback(reference);
        var system = ActorSystem.Create("journal", config);
        SqlPersistence.Get(system);
        return system;
    }

    private static string FixtureDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ActorStore.sln"))) return Path.Combine(dir.FullName, "tests", "Cluster.Tests", "Journal", "fixtures");
        throw new DirectoryNotFoundException("no ActorStore.sln above the tests");
    }

    private sealed record Write(IReadOnlyList<IPersistedEvent> Events, long SnapshotAt, Func<object>? Snapshot);

    private sealed record Done;

    private sealed class Get
    {
        public static readonly Get Instance = new();
    }

    /// <summary>Persists events as the node's actors do, and a snapshot after event <c>SnapshotAt</c>.</summary>
    private sealed class Writer : ReceivePersistentActor
    {
        public Writer(string id)
        {
            PersistenceId = id;
            Command<Write>(w =>
            {
                var replyTo = Sender;
                var left = w.Events.Count;
                PersistAll(w.Events, _ =>
                {
                    if (LastSequenceNr == w.SnapshotAt && w.Snapshot is not null) SaveSnapshot(w.Snapshot());
                    if (--left == 0) DeferAsync(0, _ => replyTo.Tell(new Done()));
                });
            });
            Command<SaveSnapshotSuccess>(_ => { });
        }

        public override string PersistenceId { get; }
    }

    /// <summary>Recovers a persistence id as the node's actors do: the latest snapshot, then the events after it.</summary>
    private sealed class Reader<T> : ReceivePersistentActor
    {
        private T _state;

        public Reader(string id, T empty)
        {
            PersistenceId = id;
            _state = empty;
            Recover<SnapshotOffer>(o => Apply(o.Snapshot));
            Recover<IPersistedEvent>(Apply);
            Recover<RegistryProtocol.Register>(_ => { });
            Command<Get>(_ => Sender.Tell(_state!));
        }

        public override string PersistenceId { get; }

        private void Apply(object e)
        {
            switch (_state)
            {
                case VolumeRecord record when e is VolumeSnapshot s: record.Restore(s); break;
                case VolumeRecord record when e is IVolumeEvent v: record.Apply(v); break;
                case List<IPersistedEvent> list when e is IPersistedEvent p: list.Add(p); break;
            }
        }
    }
}
