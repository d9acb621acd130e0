using ActorStore.Backup.Targets;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Backup.Tests;

public sealed class DirectoryTargetTests
{
    [Fact]
    public async Task A_staged_object_is_named_only_by_the_sync_and_one_never_synced_is_dropped()
    {
        using var dir = new TempDirectory();
        using (var target = new DirectoryTarget(dir.Sub("t")))
        {
            await target.StageAsync("blocks/ab/one.blk", new byte[] { 1, 2, 3 });
            Assert.Null(await target.StatAsync("blocks/ab/one.blk"));
            Assert.Empty(await target.ListAsync(StoreLayout.Blocks));
            await target.SyncAsync();
            Assert.Equal(3, (await target.StatAsync("blocks/ab/one.blk"))!.Size);
            await target.StageAsync("blocks/ab/two.blk", new byte[] { 4 });
        }
        Assert.Equal(["one.blk"], Directory.GetFiles(dir.Sub("t/blocks/ab")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/etc/passwd")]
    [InlineData("volumes/.hidden")]
    [InlineData("volumes//x")]
    public async Task A_key_that_would_leave_the_target_or_hide_in_it_is_refused(string key)
    {
        using var dir = new TempDirectory();
        using var target = new DirectoryTarget(dir.Sub("t"));
        await Assert.ThrowsAsync<ArgumentException>(() => target.PutAsync(key, new byte[] { 1 }));
    }
}
