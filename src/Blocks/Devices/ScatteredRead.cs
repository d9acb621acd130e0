namespace ActorStore.Blocks.Devices;

/// <summary>One piece of a scattered read: <see cref="Length"/> bytes at <see cref="Offset"/> of <see cref="File"/> into the destination at <see cref="At"/>.</summary>
public readonly record struct ScatteredRead(IFileHandle File, long Offset, int Length, int At);
