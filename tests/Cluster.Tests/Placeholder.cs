namespace ActorStore.Cluster.Tests;

internal static class Placeholder;
