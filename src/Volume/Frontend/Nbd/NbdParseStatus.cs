namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>The outcome of parsing one message from a buffer.</summary>
public enum NbdParseStatus
{
    /// <summary>A whole message was parsed and consumed.</summary>
    Ok,
    /// <summary>The buffer ends inside the message; nothing was consumed.</summary>
    NeedMoreData,
    /// <summary>The bytes are not a message of this protocol: framing is lost.</summary>
    Malformed,
}
