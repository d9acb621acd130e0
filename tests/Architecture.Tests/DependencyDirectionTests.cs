using System.Reflection;
using Xunit;

namespace ActorStore.Architecture.Tests;

/// <summary>Blocks ← Volume ← Cluster, Blocks ← Backup, and the CLI on none of them (DESIGN, STYLE: layout and dependencies).</summary>
public sealed class DependencyDirectionTests
{
    private static readonly string[] Ours = ["ActorStore.Blocks", "ActorStore.Backup", "ActorStore.Volume", "actorstore-node", "pbm"];

    private static string[] References(string assembly) =>
        Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name!).Where(Ours.Contains).Order().ToArray();

    [Theory]
    [InlineData("ActorStore.Blocks", new string[0])]
    [InlineData("ActorStore.Backup", new[] { "ActorStore.Blocks" })]
    [InlineData("ActorStore.Volume", new[] { "ActorStore.Blocks" })]
    [InlineData("actorstore-node", new[] { "ActorStore.Backup", "ActorStore.Blocks", "ActorStore.Volume" })]
    [InlineData("pbm", new string[0])]
    public void Each_assembly_references_only_the_layers_below_it(string assembly, string[] expected) =>
        Assert.Equal(expected, References(assembly));

    [Fact]
    public void Blocks_uses_nothing_but_the_base_library()
    {
        var refs = Assembly.Load("ActorStore.Blocks").GetReferencedAssemblies().Select(a => a.Name!);
        Assert.All(refs, r => Assert.True(r.StartsWith("System", StringComparison.Ordinal) || r is "netstandard" or "mscorlib", $"ActorStore.Blocks references {r}"));
    }
}
