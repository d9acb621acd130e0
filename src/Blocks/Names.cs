using System.Text.RegularExpressions;

namespace ActorStore.Blocks;

/// <summary>Volume, snapshot, node and disk names become file names: <c>^[a-z0-9][a-z0-9-]{0,62}$</c> (DESIGN §9).</summary>
public static partial class Names
{
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);
}
