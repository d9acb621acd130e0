using ActorStore.Cluster.Api.Contracts;
using ActorStore.EndToEnd.Tests.Durability;
using ActorStore.EndToEnd.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Postgres;

/// <summary>
/// The volume lifecycle with the journal in a real PostgreSQL (the multi-host configuration, DESIGN §6),
/// across a node restart: the journal, not the node's data directory, must carry the control state.
/// </summary>
public sealed class PostgresJournalTests(ITestOutputHelper output) : NodeTest(output)
{
    [Fact]
    public async Task A_volume_lives_through_a_restart_with_the_journal_in_postgres()
    {
        var postgres = Own(await PostgresServer.StartAsync());
        var node = await StartNodeAsync(new NodeOptions { NodeId = "pg-1", Journal = "postgres", JournalConnection = postgres.ConnectionString });
        var name = TestData.VolumeName("pg");

        await node.Api.CreateAttachedAsync(name, 32 * TestData.MiB, 2);
        await NbdData.WriteAndFlushAsync(node.NbdUri(name), 0, 8 * TestData.MiB, seed: 41);
        await node.Api.SnapshotAsync(name, "in-postgres");
        await node.Api.DetachAsync(name);
        var before = await node.Api.GetVolumeAsync(name);

        await node.RestartAsync();

        var after = await node.Api.GetVolumeAsync(name);
        Assert.Equal(VolumeStates.Detached, after.State);
        await VolumeState.AssertSameVolumeAsync(node.Api, before);
        await VolumeState.AssertSnapshotsAsync(node.Api, name, ["in-postgres"]);
        await node.Api.AttachAsync(name);
        await NbdData.VerifyAsync(node.NbdUri(name), 0, 8 * TestData.MiB, seed: 41);
        await node.Api.DetachAsync(name);
        await node.Api.DeleteVolumeAsync(name);
        var gone = await node.Api.SendAsync(HttpMethod.Get, $"/volumes/{name}");
        Assert.True(gone.Status == System.Net.HttpStatusCode.NotFound, $"a deleted volume must be 404: {gone}");
    }
}
