namespace ActorStore.Volume.Protocol;

/// <summary>
/// An event or snapshot a persistent actor writes to the journal (DESIGN §6): never a wire message, bound to a
/// module's <c>EventSerializer</c>, which gives every such type a short manifest that never changes.
/// </summary>
public interface IPersistedEvent;
