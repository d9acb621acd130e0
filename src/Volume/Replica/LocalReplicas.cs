using System.Collections.Concurrent;

namespace ActorStore.Volume.Replicas;

/// <summary>
/// The replicas open in this process, by replica id: an engine on the same node reaches them
/// in-process (no socket, no copy) unless the socket path is forced. Each ReplicaActor adds its replica
/// once open and removes it before closing it.
/// </summary>
public sealed class LocalReplicas
{
    private readonly ConcurrentDictionary<string, Blocks.Replica> _open = new(StringComparer.Ordinal);

    public bool TryGet(string replicaId, out Blocks.Replica replica) => _open.TryGetValue(replicaId, out replica!);

    public void Add(string replicaId, Blocks.Replica replica) => _open[replicaId] = replica;

    public void Remove(string replicaId) => _open.TryRemove(replicaId, out _);
}
