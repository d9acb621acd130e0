using ActorStore.Backup.Targets;
using Xunit;

namespace ActorStore.Backup.Tests;

public sealed class TargetAddressTests
{
    [Theory]
    [InlineData("/var/backups", "dir:///var/backups")]
    [InlineData("dir:///mnt/nfs/backups", "dir:///mnt/nfs/backups")]
    [InlineData("s3://bucket/prefix?endpoint=http://127.0.0.1:4569&region=eu-west-1", "s3://bucket/prefix?endpoint=http://127.0.0.1:4569&region=eu-west-1")]
    [InlineData("s3://bucket", "s3://bucket/")]
    public void A_target_is_written_as_a_path_or_an_url(string text, string shown)
    {
        Assert.True(TargetAddress.TryParse(text, out var address, out var why), why);
        Assert.Equal(shown, address!.ToString());
    }

    [Theory]
    [InlineData("backups", "not a backup target")]
    [InlineData("ftp://host/x", "not a backup target")]
    [InlineData("s3://key:secret@bucket/x", "not in its address")]
    [InlineData("s3://bucket/x?endpoint=nonsense", "is not a URL")]
    public void A_bad_target_says_how_to_write_one(string text, string expected)
    {
        Assert.False(TargetAddress.TryParse(text, out _, out var why));
        Assert.Contains(expected, why);
    }

    [Fact]
    public void An_s3_target_without_credentials_is_refused_and_credentials_are_never_shown()
    {
        Assert.True(TargetAddress.TryParse("s3://bucket/p?endpoint=http://127.0.0.1:1", out var address, out _));
        Assert.Throws<BackupTargetException>(() => address!.Open());
        using var target = address!.Open("AKIAEXAMPLE", "very-secret");
        Assert.DoesNotContain("very-secret", target.Describe);
        Assert.DoesNotContain("AKIAEXAMPLE", target.Describe);
    }

    [Fact]
    public async Task An_unreachable_s3_target_fails_with_a_message_that_names_it()
    {
        Assert.True(TargetAddress.TryParse("s3://bucket/p?endpoint=http://127.0.0.1:1", out var address, out _));
        using var target = address!.Open("k", "s");
        var failure = await Assert.ThrowsAsync<BackupTargetException>(() => target.StatAsync("volumes/v/volume.json"));
        Assert.Contains("s3://bucket/p/", failure.Message);
    }
}
