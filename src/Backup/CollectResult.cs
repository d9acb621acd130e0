namespace ActorStore.Backup;

/// <summary>What a collection deleted (blocks, and the hidden files killed writers left); <paramref name="Deferred"/>: why it deleted nothing now (a backup or restore runs), or null.</summary>
public sealed record CollectResult(int DeletedBlocks, long DeletedBytes, string? Deferred);
