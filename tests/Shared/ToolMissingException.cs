namespace ActorStore.Tests.Shared;

/// <summary>
/// A real client the test needs is not installed. The test fails (never skips): a skipped end-to-end
/// test would pass a machine that cannot run it. test.sh installs every one of them.
/// </summary>
public sealed class ToolMissingException(string tool, string package, string? install = null)
    : Exception($"'{tool}' is not installed; run '{install ?? $"apt-get install -y {package}"}' (test.sh installs it).");
