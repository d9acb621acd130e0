using System.Text;
using ActorStore.Cluster.Nodes;
using ActorStore.Cluster.Protocol;
using ActorStore.Cluster.Volumes;
using ActorStore.Volume.Protocol;
using ActorStore.Volume.Serialization;
using Xunit;

namespace ActorStore.Cluster.Tests.Serialization;

/// <summary>
/// The journal's format (DESIGN §6): every persisted event and snapshot has a short manifest fixed for good, and
/// journals written before these serializers existed (events under the wire serializers, by type name) still read.
/// </summary>
public sealed class EventSerializerTests(SerializationSystem fixture) : IClassFixture<SerializationSystem>
{
    /// <summary>What is in journals. A failure here means a manifest changed: add a new record instead.</summary>
    private static readonly Dictionary<string, string> Golden = new()
    {
        ["VA"] = "CreateRequested",
        ["VB"] = "CreateCompleted",
        ["VC"] = "Attached",
        ["VD"] = "EpochRaised",
        ["VE"] = "Detached",
        ["VF"] = "ReplicaFailed",
        ["VG"] = "OperationRequested",
        ["VH"] = "OperationCompleted",
        ["VI"] = "VolumeDeleted",
        ["VJ"] = "ReplicasSalvaged",
        ["VK"] = "ReplicaAdded",
        ["VL"] = "ReplicaRebuilt",
        ["VM"] = "ReplicaRemoved",
        ["VN"] = "ReplicaEvictionRequested",
        ["VO"] = "ReplicaRejoined",
        ["VP"] = "ReplicaCaughtUp",
        ["VQ"] = "StaleReplicaRemoved",
        ["VR"] = "RestoreFinished",
        ["VT"] = "StandbyActivated",
        ["VS"] = "VolumeSnapshot",
        ["NA"] = "DiskAdded",
        ["NB"] = "DiskRemoved",
        ["NC"] = "DiskSchedulingChanged",
        ["ND"] = "NodeSchedulingChanged",
        ["NS"] = "NodeSnapshot",
        ["RA"] = "VolumeRegistered",
        ["RB"] = "VolumeUnregistered",
        ["RS"] = "RegistrySnapshot",
        ["CA"] = "ClusterCreated",
        ["BA"] = "TargetSet",
        ["BB"] = "RunStarted",
        ["BC"] = "RunFinished",
        ["BD"] = "StandbyAdded",
        ["BE"] = "StandbyApplied",
        ["BF"] = "StandbyRemoved",
        ["BS"] = "BackupsSnapshot",
        ["JA"] = "JobCreated",
        ["JB"] = "JobDeleted",
        ["JC"] = "VolumeJobAdded",
        ["JD"] = "VolumeJobRemoved",
        ["JE"] = "JobRunStarted",
        ["JF"] = "JobRunEnded",
        ["JS"] = "JobsSnapshot",
    };

    private static IEnumerable<Type> PersistedTypes() =>
        Samples.ConcreteTypesOf(typeof(IPersistedEvent)).Concat(Samples.ConcreteTypesOf(typeof(IClusterEvent))).Distinct();

    public static TheoryData<string> EventTypes() => new(PersistedTypes().Select(t => t.AssemblyQualifiedName!));

    [Fact]
    public void Every_persisted_type_has_the_manifest_it_always_had()
    {
        var tables = VolumeEventSerializer.Manifests.Concat(ClusterEventSerializer.Manifests).ToDictionary(p => p.Key, p => p.Value.Name);
        Assert.Equal(Golden.OrderBy(p => p.Key), tables.OrderBy(p => p.Key));
        Assert.Equal(PersistedTypes().Select(t => t.FullName).Order(), VolumeEventSerializer.Manifests.Values.Concat(ClusterEventSerializer.Manifests.Values).Select(t => t.FullName).Order());
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Every_persisted_type_round_trips_through_its_event_serializer(string typeName)
    {
        var type = Type.GetType(typeName, throwOnError: true)!;
        var expected = type.Assembly == typeof(VolumeEventSerializer).Assembly ? typeof(VolumeEventSerializer) : typeof(ClusterEventSerializer);
        MessageRoundTrip.AssertRoundTrips(fixture.System, Samples.Create(type), expected);
    }

    [Fact]
    public void Events_journaled_by_the_wire_serializers_before_still_read()
    {
        // As a journal written before the event serializers holds them: serializer 1101/1102, type-name manifest, bare JSON.
        var failed = fixture.System.Serialization.Deserialize(
            Encoding.UTF8.GetBytes("""{"ReplicaId":"r1","Reason":"write: IoError","At":"2026-01-02T03:04:05+00:00"}"""), 1101, "VolumeEvents.ReplicaFailed");
        Assert.Equal(new VolumeEvents.ReplicaFailed("r1", "write: IoError", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)), failed);
        var disk = fixture.System.Serialization.Deserialize(Encoding.UTF8.GetBytes("""{"Name":"disk-1","Path":"/d1","Schedulable":true}"""), 1102, "NodeEvents.DiskAdded");
        Assert.Equal(new NodeEvents.DiskAdded("disk-1", "/d1", true), disk);
        var registered = fixture.System.Serialization.Deserialize(
            Encoding.UTF8.GetBytes("""{"Volume":"v","VolumeId":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}"""), 1101, "RegistryProtocol.Register");
        Assert.IsType<RegistryProtocol.Register>(registered);
    }

    [Fact]
    public void A_newer_envelope_format_is_refused_by_name_not_misread()
    {
        var serializer = (EventSerializer)fixture.System.Serialization.FindSerializerForType(typeof(VolumeEvents.Detached));
        var bytes = serializer.ToBinary(new VolumeEvents.Detached());
        bytes[0] = EventSerializer.Format + 1;
        var e = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes, "VE"));
        Assert.Contains("this build reads format 1", e.Message);
    }
}
