namespace ActorStore.Blocks.Chain;

/// <summary><c>&lt;layer&gt;.img.meta</c>: one layer's place in the snapshot tree. The head has no name.</summary>
internal sealed record LayerMeta
{
    public string? Name { get; init; }
    public string? Parent { get; init; }
    public required DateTimeOffset Created { get; init; }
    public bool UserCreated { get; init; }
    public bool Removed { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    /// <summary>The request that created this snapshot, so a retried request is recognised (DESIGN §2).</summary>
    public Guid? RequestId { get; init; }
    /// <summary>Volume size when the layer became a snapshot (for the head: when it was created).</summary>
    public required long Size { get; init; }
}
