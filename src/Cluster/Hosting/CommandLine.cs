using System.Text;
using Akka.Configuration;

namespace ActorStore.Cluster.Hosting;

/// <summary>
/// The node's command line (DESIGN §1): <c>--config FILE</c> plus the overrides every operator and
/// test needs. It builds the node's configuration: flags, then the file, then hocon/reference.conf.
/// </summary>
public static class CommandLine
{
    public const string Usage = """
        usage: actorstore-node [options]
          --config FILE              HOCON file with this node's settings (see hocon/reference.conf)
          --node-id ID               this node's name (default node-1)
          --data-dir DIR             journal and seed disks (default ./data)
          --host ADDR                address other nodes reach this one on (default 127.0.0.1)
          --remote-port N            Akka.Remote port (default 4053; 0 = free port)
          --api-port N               REST gateway port (default 9500; 0 = free port)
          --nbd-port N               NBD server port (default 10809; 0 = free port)
          --data-port N              data port, where engines on other nodes reach this node's replicas (default 10810; 0 = free port)
          --seed akka.tcp://actorstore@HOST:PORT   a seed node to join (repeatable)
          --journal sqlite|postgres  control-plane journal (default sqlite in the data dir)
          --journal-connection STR   ADO.NET connection string (required for postgres)
          --force-socket             reach local replicas through their TCP data endpoint too
        """;

    /// <summary>The configuration, or an error message for a bad command line.</summary>
    public static (Config? Config, string? Error) Parse(string[] args)
    {
        var overrides = new StringBuilder();
        var seeds = new List<string>();
        string? file = null;
        for (var i = 0; i < args.Length; i++)
        {
            var flag = args[i];
            if (flag == "--force-socket") { overrides.AppendLine("actorstore.volume.force-socket = on"); continue; }
            if (i + 1 >= args.Length) return (null, $"{flag} needs a value (or is unknown). Run with --help.");
            var value = args[++i];
            switch (flag)
            {
                case "--config": file = value; break;
                case "--node-id": Set("actorstore.node.id", value); break;
                case "--data-dir": Set("actorstore.node.data-dir", value); break;
                case "--host": Set("actorstore.node.host", value); break;
                case "--remote-port": if (!Port("actorstore.node.remote-port")) return (null, $"--remote-port '{value}' is not a port"); break;
                case "--api-port": if (!Port("actorstore.node.api-port")) return (null, $"--api-port '{value}' is not a port"); break;
                case "--nbd-port": if (!Port("actorstore.node.nbd-port")) return (null, $"--nbd-port '{value}' is not a port"); break;
                case "--data-port": if (!Port("actorstore.node.data-port")) return (null, $"--data-port '{value}' is not a port"); break;
                case "--seed": seeds.Add(value); break;
                case "--journal": Set("actorstore.node.journal", value); break;
                case "--journal-connection": Set("actorstore.node.journal-connection", value); break;
                default: return (null, $"unknown argument '{flag}'. Run with --help.");
            }

            bool Port(string key)
            {
                if (!int.TryParse(value, out var port) || port is < 0 or > 65535) return false;
                overrides.AppendLine($"{key} = {port}");
                return true;
            }
        }
        if (seeds.Count > 0) overrides.AppendLine($"actorstore.node.seed-nodes = [{string.Join(", ", seeds.Select(Quote))}]");

        var reference = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "reference.conf")));
        var config = ConfigurationFactory.ParseString(overrides.ToString());
        if (file is not null)
        {
            if (!File.Exists(file)) return (null, $"--config: {file} does not exist");
            config = config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(file)));
        }
        return (config.WithFallback(reference), null);

        void Set(string key, string value) => overrides.AppendLine($"{key} = {Quote(value)}");
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
