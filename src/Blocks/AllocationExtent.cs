namespace ActorStore.Blocks;

/// <summary>A byte range of the merged view of the chain: data, or a hole that reads as zeros (NBD base:allocation).</summary>
public readonly record struct AllocationExtent(long Offset, long Length, bool IsHole);
