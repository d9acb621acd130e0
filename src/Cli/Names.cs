namespace ActorStore.Cli;

/// <summary>Volume, snapshot, node and disk names (DESIGN §9): checked before any request is sent, by the server's own rule.</summary>
public static class Names
{
    public static bool IsValid(string? name) => Blocks.Names.IsValid(name);

    /// <summary>The message for an invalid name; <paramref name="kind"/> is "volume", "snapshot", "node" or "disk".</summary>
    public static string Invalid(string kind, string? name) =>
        $"invalid {kind} name '{name}': use 1 to 63 characters a-z, 0-9 and '-', starting with a letter or digit";
}
