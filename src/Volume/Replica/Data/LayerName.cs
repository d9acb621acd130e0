namespace ActorStore.Volume.Replicas.Data;

/// <summary>A snapshot name and its bytes on the wire, kept by both ends of a connection for the layer a rebuild is copying.</summary>
internal sealed record LayerName(string Name, byte[] Bytes);
