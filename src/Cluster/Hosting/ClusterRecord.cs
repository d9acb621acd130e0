using ActorStore.Cluster.Protocol;
using ActorStore.Volume.Replicas;
using Akka.Actor;
using Akka.Persistence;

namespace ActorStore.Cluster.Hosting;

/// <summary>
/// The cluster's identity in its journal (DESIGN §3, §6): its id and the data-plane secret, made by the first
/// node that starts on a fresh journal and read by every node after, so the secret travels only between
/// the journal and the nodes, never over the data port. Two nodes that start together on a fresh journal
/// both try to write it; the journal keeps one (the second write of sequence 1 fails) and the loser reads it.
/// </summary>
public sealed class ClusterRecord : ReceivePersistentActor
{
    private ClusterCreated? _created;

    public ClusterRecord()
    {
        Recover<ClusterCreated>(e => _created = e);
        Command<GetOrCreate>(g =>
        {
            if (_created is not null)
            {
                Sender.Tell(_created);
                return;
            }
            Persist(new ClusterCreated(g.ProposedId, DataSecret.Create().ToBytes()), e =>
            {
                _created = e;
                Sender.Tell(e);
            });
        });
    }

    public override string PersistenceId => "cluster";

    /// <summary>The cluster's record, persisted once (manifest fixed in <see cref="ClusterEventSerializer"/>).</summary>
    public sealed record ClusterCreated(string ClusterId, byte[] DataSecret) : IClusterEvent;

    internal sealed record GetOrCreate(string ProposedId);
}
