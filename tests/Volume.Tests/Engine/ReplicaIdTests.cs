using ActorStore.Blocks;
using ActorStore.Volume.Engine;
using Xunit;

namespace ActorStore.Volume.Tests.Engine;

public sealed class ReplicaIdTests
{
    [Fact]
    public void Every_valid_volume_name_makes_valid_distinct_replica_ids()
    {
        for (var length = 1; length <= 63; length++)
        {
            var volume = new string('v', length);
            var ids = Enumerable.Range(0, 8).Select(_ => VolumeActor.NewReplicaId(volume)).ToArray();
            Assert.All(ids, id => Assert.True(Names.IsValid(id), $"'{id}' from a {length}-character volume name is not a valid name"));
            Assert.Equal(ids.Length, ids.Distinct().Count());
            Assert.All(ids, id => Assert.StartsWith(volume[..Math.Min(length, 53)], id));
        }
    }
}
