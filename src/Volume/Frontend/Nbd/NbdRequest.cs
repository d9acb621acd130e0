namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>One transmission-phase request header (the payload of a WRITE follows it on the wire).</summary>
public readonly record struct NbdRequest(ushort Flags, ushort Type, ulong Cookie, ulong Offset, uint Length);
