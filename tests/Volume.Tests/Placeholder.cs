namespace ActorStore.Volume.Tests;

internal static class Placeholder;
