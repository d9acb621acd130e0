namespace ActorStore.EndToEnd.Tests;

internal static class Placeholder;
