using ActorStore.Cluster.Hosting;
using ActorStore.Tests.Shared;
using Akka.Actor;
using Xunit;

namespace ActorStore.Cluster.Tests.Hosting;

/// <summary>Where a starting node joins: its seeds and the members it last saw; with no seed, itself first so it may found the cluster.</summary>
public sealed class KnownMembersTests
{
    private static readonly Address Self = Address.Parse("akka.tcp://actorstore@127.0.0.1:4001");
    private const string Two = "akka.tcp://actorstore@127.0.0.1:4002";
    private const string Three = "akka.tcp://actorstore@127.0.0.1:4003";

    [Fact]
    public void A_node_that_never_was_in_a_cluster_joins_its_seeds_or_founds_one()
    {
        using var dir = new TempDirectory();
        Assert.Equal([Self], KnownMembers.JoinTargets(Self, [], dir.Path));
        Assert.Equal([Address.Parse(Two)], KnownMembers.JoinTargets(Self, [Two], dir.Path));
    }

    [Fact]
    public void A_founding_node_lists_itself_first_and_then_the_members_it_last_saw()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Sub(KnownMembers.FileName), $"{Two}\n{Self}\nnot an address\n\n{Three}\n");
        Assert.Equal([Self, Address.Parse(Two), Address.Parse(Three)], KnownMembers.JoinTargets(Self, [], dir.Path));
    }

    [Fact]
    public void A_node_with_seeds_adds_the_members_it_last_saw_after_them_without_repeating_one()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Sub(KnownMembers.FileName), $"{Three}\n{Two}\n");
        Assert.Equal([Address.Parse(Two), Address.Parse(Three)], KnownMembers.JoinTargets(Self, [Two], dir.Path));
    }
}
