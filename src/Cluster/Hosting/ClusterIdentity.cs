using ActorStore.Volume.Replicas;
using Akka.Actor;

namespace ActorStore.Cluster.Hosting;

/// <summary>Which cluster this node belongs to, and the cluster's data secret: read from the journal's <see cref="ClusterRecord"/>.</summary>
public static class ClusterIdentity
{
    /// <summary>
    /// Reads the cluster's record, creating it on a fresh journal with the id this node's data directory already
    /// has (a node from before the record existed) or a new one; then checks the data directory belongs to it.
    /// Throws <see cref="InvalidOperationException"/> with what to do when it does not.
    /// </summary>
    public static async Task<(string ClusterId, DataSecret Secret)> LoadAsync(ActorSystem system, string dataDir, TimeSpan timeout)
    {
        var path = Path.Combine(dataDir, "cluster.id");
        var local = File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        var proposed = local ?? Guid.NewGuid().ToString("N")[..12];
        for (var attempt = 1; ; attempt++)
        {
            var record = system.ActorOf(Props.Create(() => new ClusterRecord()), $"cluster-record-{attempt}");
            try
            {
                var created = await record.Ask<ClusterRecord.ClusterCreated>(new ClusterRecord.GetOrCreate(proposed), timeout).ConfigureAwait(false);
                if (local is not null && local != created.ClusterId)
                    throw new InvalidOperationException(
                        $"this node's data directory {dataDir} belongs to cluster {local}, but the journal is cluster {created.ClusterId}'s; point --journal-connection at its own cluster's journal, or give the node a new --data-dir");
                if (local is null) File.WriteAllText(path, created.ClusterId);
                return (created.ClusterId, new DataSecret(created.DataSecret));
            }
            catch (AskTimeoutException) when (attempt < 5)
            {
                // Lost the race to write it (the actor stopped on the failed persist) or the journal is slow: read again.
            }
            finally
            {
                system.Stop(record);
            }
        }
    }
}
