using Xunit;

namespace ActorStore.Cli.Tests;

public sealed class NamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("vol-1")]
    [InlineData("0day")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")] // 63
    public void Accepts(string name) => Assert.True(Names.IsValid(name));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("-vol")]
    [InlineData("Vol")]
    [InlineData("vol_1")]
    [InlineData("vol.1")]
    [InlineData("../etc")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")] // 64
    [InlineData("vol\n")] // the newline `$` let through
    public void Rejects(string? name) => Assert.False(Names.IsValid(name));

    [Fact]
    public void The_message_names_the_kind_and_the_rule() =>
        Assert.Equal("invalid disk name 'D1': use 1 to 63 characters a-z, 0-9 and '-', starting with a letter or digit", Names.Invalid("disk", "D1"));
}
