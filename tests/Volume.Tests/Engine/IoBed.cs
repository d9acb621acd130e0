using ActorStore.Volume.Engine;
using ActorStore.Volume.Protocol;

namespace ActorStore.Volume.Tests.Engine;

/// <summary>A <see cref="VolumeIo"/> over fake replicas and a fake actor that drops failed replicas from the view.</summary>
public sealed class IoBed
{
    public const long Size = 1 << 20;

    private readonly object _lock = new();
    private readonly List<ReplicaSetView.Member> _members;

    public IoBed(params (string Id, ReplicaMode Mode, bool Local)[] replicas)
    {
        Channels = replicas.ToDictionary(r => r.Id, r => new FakeReplicaChannel(r.Id, Size, r.Local));
        _members = replicas.Select(r => new ReplicaSetView.Member(r.Id, r.Mode, Channels[r.Id])).ToList();
        Sink = new FakeFailureSink { OnFail = Drop };
        Io = new VolumeIo("vol", Size, new ReplicaSetView(_members), Sink);
    }

    /// <summary>Three remote RW replicas a, b, c.</summary>
    public static IoBed ThreeRw() => new(("a", ReplicaMode.ReadWrite, false), ("b", ReplicaMode.ReadWrite, false), ("c", ReplicaMode.ReadWrite, false));

    public VolumeIo Io { get; }

    public FakeFailureSink Sink { get; }

    public IReadOnlyDictionary<string, FakeReplicaChannel> Channels { get; }

    public FakeReplicaChannel this[string id] => Channels[id];

    public IEnumerable<FakeReplicaChannel> All => Channels.Values;

    public static byte[] Pattern(int length, byte seed)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++) bytes[i] = (byte)(seed + i * 7);
        return bytes;
    }

    private void Drop(IReadOnlyList<ReplicaFailure> failures)
    {
        lock (_lock)
        {
            _members.RemoveAll(m => failures.Any(f => f.ReplicaId == m.ReplicaId));
            Io.Publish(new ReplicaSetView(_members.ToArray(), track: true)); // as the engine: the failed replicas may come back and catch up
        }
    }
}
