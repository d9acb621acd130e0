using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Harness;
using Xunit;

namespace ActorStore.EndToEnd.Tests.Durability;

/// <summary>
/// What a restart must preserve about a volume (spec, replica set, snapshots), and the step every crash
/// test takes after a restart: wait until the volume answers, attach it again if the node did not.
/// </summary>
public static class VolumeState
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(60);

    public static async Task<VolumeInfo> ReattachAsync(Gateway api, string name)
    {
        VolumeInfo? volume = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            volume = await api.GetVolumeAsync(name);
            return volume.State is VolumeStates.Attached or VolumeStates.Detached;
        }, Recovery, $"volume {name} to settle (attached or detached) after the restart");
        if (volume!.State == VolumeStates.Detached) volume = await api.AttachAsync(name);
        return volume;
    }

    /// <summary>Same spec and the same replicas, all RW again (a rebuild after the crash may take a moment).</summary>
    public static async Task AssertSameVolumeAsync(Gateway api, VolumeInfo before)
    {
        VolumeInfo after = before;
        await Eventually.WaitUntilAsync(async () =>
        {
            after = await api.GetVolumeAsync(before.Name);
            return after.Replicas.Count == before.ReplicaCount && after.Replicas.All(r => r.Mode == ReplicaModes.ReadWrite);
        }, Recovery, $"every replica of {before.Name} to be RW after the restart");
        Assert.Equal(before.Id, after.Id);
        Assert.Equal(before.Size, after.Size);
        Assert.Equal(before.ReplicaCount, after.ReplicaCount);
        Assert.Equal(before.Replicas.Select(r => r.Id).Order(), after.Replicas.Select(r => r.Id).Order());
        var replicas = await api.ListReplicasAsync(before.Name);
        Assert.All(replicas, r => Assert.Equal(ReplicaModes.ReadWrite, r.Mode));
    }

    public static async Task AssertSnapshotsAsync(Gateway api, string volume, IEnumerable<string> expected)
    {
        var names = (await api.ListSnapshotsAsync(volume)).Where(s => s.UserCreated && !s.Removed).Select(s => s.Name).Order().ToArray();
        Assert.Equal(expected.Order().ToArray(), names);
    }
}
