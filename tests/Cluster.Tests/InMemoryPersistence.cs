namespace ActorStore.Cluster.Tests;

/// <summary>A test actor system whose journal and snapshot store live in memory: persistent actors recover within the test.</summary>
public static class InMemoryPersistence
{
    public const string Config = """
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """;
}
