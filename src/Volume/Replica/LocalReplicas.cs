using System.Collections.Concurrent;

namespace ActorStore.Volume.Replicas;

/// <summary>
/// The replicas open in this process, by replica id: the node's data port serves them, and an engine on the
/// same node reaches them in-process (no socket, no copy) unless the socket path is forced. Each ReplicaActor
/// adds its replica once open and removes it before closing it; a close runs off the actor's thread, and the
/// next open of the same replica waits for it (<see cref="WhenClosedAsync"/>).
/// </summary>
public sealed class LocalReplicas
{
    private readonly ConcurrentDictionary<string, Blocks.Replica> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _closing = new(StringComparer.Ordinal);

    /// <summary>Records a close in progress (connections ending, the replica writing its clean stop).</summary>
    public void Closing(string replicaId, Task close)
    {
        _closing[replicaId] = close;
        close.ContinueWith(t => _closing.TryRemove(new KeyValuePair<string, Task>(replicaId, t)), TaskScheduler.Default);
    }

    /// <summary>Completes once no close of the replica is in progress.</summary>
    public Task WhenClosedAsync(string replicaId) => _closing.TryGetValue(replicaId, out var close) ? close : Task.CompletedTask;

    public bool TryGet(string replicaId, out Blocks.Replica replica) => _open.TryGetValue(replicaId, out replica!);

    public void Add(string replicaId, Blocks.Replica replica) => _open[replicaId] = replica;

    public void Remove(string replicaId) => _open.TryRemove(replicaId, out _);

    /// <summary>How many replicas here are being rebuilt or caught up now (the per-node limit counts them).</summary>
    public int Rebuilding => _open.Values.Count(r => r.Rebuilding);
}
