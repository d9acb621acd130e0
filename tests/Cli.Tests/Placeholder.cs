namespace ActorStore.Cli.Tests;

internal static class Placeholder;
