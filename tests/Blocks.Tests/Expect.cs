namespace ActorStore.Blocks.Tests;

/// <summary>For threads and loops where an xunit assertion would be lost or too slow: a failed status throws.</summary>
internal static class Expect
{
    public static void Ok(ReplicaStatus status)
    {
        if (status != ReplicaStatus.Ok) throw new InvalidOperationException($"replica answered {status}");
    }
}
