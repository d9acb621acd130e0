using ActorStore.Cluster.Hosting;
using ActorStore.Volume;
using Akka.Configuration;
using Xunit;

namespace ActorStore.Cluster.Tests.Hosting;

/// <summary>The command line and the typed settings: defaults from hocon/reference.conf, and a bad value fails naming its key.</summary>
public sealed class SettingsTests
{
    private static Config Parse(params string[] args)
    {
        var (config, error) = CommandLine.Parse(args);
        Assert.True(config is not null, error);
        return config!;
    }

    [Fact]
    public void The_defaults_give_one_node_with_two_disks_under_the_data_dir()
    {
        var node = NodeSettings.Create(Parse("--data-dir", "/tmp/as-node"));
        Assert.Equal("node-1", node.NodeId);
        Assert.Equal((9500, 10809, 4053), (node.ApiPort, node.NbdPort, node.RemotePort));
        Assert.Equal(["/tmp/as-node/disks/disk-1", "/tmp/as-node/disks/disk-2"], node.Disks.Select(d => d.Path));
        Assert.Equal("sqlite", node.Journal);
        Assert.Contains("/tmp/as-node/journal.db", node.JournalConnection);
        Assert.Equal(2, VolumeSettings.Create(Parse()).DefaultReplicas);
    }

    [Fact]
    public void Flags_override_the_file()
    {
        var node = NodeSettings.Create(Parse("--node-id", "n7", "--api-port", "0", "--nbd-port", "0", "--seed", "akka.tcp://actorstore@10.0.0.1:4053"));
        Assert.Equal(("n7", 0, 0), (node.NodeId, node.ApiPort, node.NbdPort));
        Assert.Equal(["akka.tcp://actorstore@10.0.0.1:4053"], node.Seeds);
        Assert.True(VolumeSettings.Create(Parse("--force-socket")).ForceSocket);
    }

    [Theory]
    [InlineData("actorstore.node.id = \"Bad_Name\"", "actorstore.node.id")]
    [InlineData("actorstore.node.api-port = 70000", "actorstore.node.api-port")]
    [InlineData("actorstore.node.journal = mysql", "actorstore.node.journal")]
    [InlineData("actorstore.node.journal = postgres", "actorstore.node.journal-connection")]
    [InlineData("actorstore.volume.default-replicas = 9", "actorstore.volume.default-replicas")]
    [InlineData("actorstore.replica.max-snapshots = 251", "actorstore.replica.max-snapshots")]
    [InlineData("actorstore.volume.replica-request-timeout = -1s", "actorstore.volume.replica-request-timeout")]
    [InlineData("actorstore.node.disks { \"Disk_1\" = x }", "actorstore.node.disks.Disk_1")]
    [InlineData("actorstore.node.nbd-max-in-flight-bytes = 1MiB", "actorstore.node.nbd-max-in-flight-bytes")]
    [InlineData("actorstore.node.nbd-handshake-timeout = 0s", "actorstore.node.nbd-handshake-timeout")]
    [InlineData("actorstore.node.nbd-max-connections = 0", "actorstore.node.nbd-max-connections")]
    [InlineData("actorstore.node.nbd-large-reads-at-once = 0", "actorstore.node.nbd-large-reads-at-once")]
    [InlineData("actorstore.node.seed-nodes = [\"10.0.0.1:4053\"]", "actorstore.node.seed-nodes")]
    public void A_bad_value_fails_naming_its_key(string hocon, string key)
    {
        var config = ConfigurationFactory.ParseString(hocon).WithFallback(Parse());
        var e = Assert.ThrowsAny<ConfigurationException>(() =>
        {
            NodeSettings.Create(config);
            VolumeSettings.Create(config);
        });
        Assert.Contains($"'{key}'", e.Message);
    }

    [Theory]
    [InlineData("--api-port", "x")]
    [InlineData("--bogus", "1")]
    [InlineData("--node-id")]
    public void A_bad_command_line_is_refused_with_a_message(params string[] args)
    {
        var (config, error) = CommandLine.Parse(args);
        Assert.Null(config);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}
