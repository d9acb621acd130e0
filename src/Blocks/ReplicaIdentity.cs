namespace ActorStore.Blocks;

/// <summary>Who a replica belongs to: its volume's UUID, its own id and the highest engine epoch it has seen (DESIGN §2).</summary>
public sealed record ReplicaIdentity(Guid VolumeId, string ReplicaId, long Epoch);
