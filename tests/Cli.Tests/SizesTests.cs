using Xunit;

namespace ActorStore.Cli.Tests;

public sealed class SizesTests
{
    [Theory]
    [InlineData("4096", 4096L)]
    [InlineData("4096B", 4096L)]
    [InlineData("1KiB", 1024L)]
    [InlineData("1K", 1024L)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("512m", 512L << 20)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("10G", 10L << 30)]
    [InlineData("1gib", 1L << 30)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData(" 2 TiB ", 2L << 40)]
    [InlineData("1T", 1L << 40)]
    public void Parses_binary_units(string text, long expected)
    {
        Assert.True(Sizes.TryParse(text, out var bytes, out var error), error);
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("", "expected bytes")]
    [InlineData("-1GiB", "greater than zero")]
    [InlineData("0", "greater than zero")]
    [InlineData("abc", "expected bytes")]
    [InlineData("1XiB", "expected bytes")]
    [InlineData("1.2.3G", "expected bytes")]
    [InlineData("1GB", "ambiguous")]
    [InlineData("5mb", "ambiguous")]
    [InlineData("0.3K", "whole number")]
    [InlineData("99999999999T", "too large")]
    [InlineData("GiB", "expected bytes")]
    public void Rejects_with_a_clear_message(string text, string reason)
    {
        Assert.False(Sizes.TryParse(text, out _, out var error));
        Assert.StartsWith($"invalid size '{text.Trim()}': ", error);
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1023L, "1023 B")]
    [InlineData(1024L, "1.0 KiB")]
    [InlineData(1536L, "1.5 KiB")]
    [InlineData(512L << 20, "512.0 MiB")]
    [InlineData(1L << 30, "1.0 GiB")]
    [InlineData(3L << 39, "1.5 TiB")]
    public void Formats_for_people(long bytes, string expected) => Assert.Equal(expected, Sizes.Format(bytes));
}
