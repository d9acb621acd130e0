using Akka.Configuration;

namespace ActorStore.Cluster.Hosting;

/// <summary>The parts of Akka's configuration that follow from the node's settings (addresses, roles, journal).</summary>
public static class AkkaConfig
{
    public static Config For(NodeSettings node, Config config)
    {
        var provider = node.Journal == "postgres" ? "PostgreSQL.15" : "SQLite.MS";
        var derived = $$"""
            akka.remote.dot-netty.tcp.hostname = {{Quote(node.Host)}}
            akka.remote.dot-netty.tcp.port = {{node.RemotePort}}
            akka.cluster.roles = ["actorstore", {{Quote(Nodes.NodeDirectory.RoleOf(node.NodeId))}}]
            akka.cluster.seed-nodes = [] # joined by NodeHost, through the seeds and the members last seen (KnownMembers)
            akka.persistence.journal.sql.connection-string = {{Quote(node.JournalConnection)}}
            akka.persistence.journal.sql.provider-name = {{provider}}
            akka.persistence.snapshot-store.sql.connection-string = {{Quote(node.JournalConnection)}}
            akka.persistence.snapshot-store.sql.provider-name = {{provider}}
            """;
        return ConfigurationFactory.ParseString(derived).WithFallback(config);
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
