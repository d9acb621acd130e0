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

    [Fact]
    public async Task A_collection_deletes_the_hidden_files_a_killed_writer_left_once_they_are_older_than_a_lease()
    {
        using var dir = new TempDirectory();
        using var target = new DirectoryTarget(dir.Sub("t"));
        Directory.CreateDirectory(dir.Sub("t/blocks/ab"));
        var (old, fresh) = (dir.Sub("t/blocks/ab/.abc.blk.1.tmp"), dir.Sub("t/blocks/ab/.abd.blk.2.tmp"));
        await File.WriteAllBytesAsync(old, new byte[1000]);
        await File.WriteAllBytesAsync(fresh, new byte[10]);
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-1));

        var result = await new BackupStore(target, new BackupStoreOptions()).CollectAsync("test");

        Assert.Equal((1, 1000L), (result.DeletedBlocks, result.DeletedBytes));
        Assert.False(File.Exists(old));
        Assert.True(File.Exists(fresh), "a file younger than a lease may be a live writer's");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData((2 << 20) + 12)]
    public async Task Objects_of_any_length_read_back_whole_from_page_aligned_buffers_and_from_any_other(int length)
    {
        // Page-aligned bytes go to the disk with O_DIRECT up to their last whole page, the rest through the page cache.
        using var dir = new TempDirectory();
        using var target = new DirectoryTarget(dir.Sub("t"));
        using var aligned = new PooledBytes(length);
        Random.Shared.NextBytes(aligned.Span);
        var unaligned = new byte[length + 1];
        Random.Shared.NextBytes(unaligned);
        await target.StageAsync("blocks/ab/aligned.blk", aligned.Memory);
        await target.PutAsync("blocks/ab/put.blk", aligned.Memory);
        await target.StageAsync("blocks/ab/unaligned.blk", unaligned.AsMemory(1));
        await target.SyncAsync();
        foreach (var (key, expected) in new[] { ("aligned", aligned.Span.ToArray()), ("put", aligned.Span.ToArray()), ("unaligned", unaligned[1..]) })
        {
            using var back = await target.GetAsync($"blocks/ab/{key}.blk");
            Assert.Equal(expected, back!.Span.ToArray());
        }
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
