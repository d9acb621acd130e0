using Akka.Actor;
using Akka.Configuration;

namespace ActorStore.Cluster.Tests.Serialization;

/// <summary>
/// An ActorSystem configured with the node's hocon/reference.conf (its serializers and bindings), with a
/// local provider so no port is bound.
/// </summary>
public sealed class SerializationSystem : IDisposable
{
    public SerializationSystem()
    {
        var reference = ConfigurationFactory.ParseString(File.ReadAllText(ReferenceConf()));
        var config = ConfigurationFactory.ParseString("akka.actor.provider = local\nakka.loglevel = WARNING").WithFallback(reference);
        System = ActorSystem.Create("serialization", config);
    }

    public ActorSystem System { get; }

    public void Dispose() => System.Terminate().Wait(TimeSpan.FromSeconds(20));

    /// <summary>The copy next to the test assembly, else the repository's (found by walking up to ActorStore.sln).</summary>
    private static string ReferenceConf()
    {
        var copied = Path.Combine(AppContext.BaseDirectory, "hocon", "reference.conf");
        if (File.Exists(copied)) return copied;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ActorStore.sln")))
                return Path.Combine(dir.FullName, "hocon", "reference.conf");
        throw new FileNotFoundException("hocon/reference.conf not found next to the tests or above them");
    }
}
