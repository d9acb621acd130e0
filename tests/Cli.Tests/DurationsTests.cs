using Xunit;

namespace ActorStore.Cli.Tests;

public sealed class DurationsTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(12.9, "12s")]
    [InlineData(60, "1m00s")]
    [InlineData(185, "3m05s")]
    [InlineData(3600, "1h00m")]
    [InlineData(7440, "2h04m")]
    [InlineData(93600, "1d02h")]
    [InlineData(-5, "0s")]
    public void Formats_the_two_largest_units(double seconds, string expected) =>
        Assert.Equal(expected, Durations.Format(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(11.2, "12s")] // rounded up: never promise less than is left
    [InlineData(59.5, "1m00s")]
    [InlineData(4000.0, "1h06m")]
    [InlineData(null, "-")]
    [InlineData(double.PositiveInfinity, "-")]
    [InlineData(1e15, "9999d00h")]
    public void An_eta_is_rounded_up_and_unknown_is_a_dash(double? seconds, string expected) =>
        Assert.Equal(expected, Durations.Eta(seconds));

    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("2h", 7200)]
    [InlineData("1h30m", 5400)]
    [InlineData("1.5h", 5400)]
    [InlineData("1d", 86400)]
    [InlineData(" 30M ", 1800)]
    public void Parses(string text, double seconds)
    {
        Assert.True(Durations.TryParse(text, out var duration, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("", "expected seconds")]
    [InlineData("0", "greater than zero")]
    [InlineData("-5m", "greater than zero")]
    [InlineData("soon", "expected seconds")]
    [InlineData("1h30", "expected seconds")]
    [InlineData("10ms", "expected seconds")]
    [InlineData("5w", "expected seconds")]
    [InlineData("99999d", "too long")]
    public void Rejects_with_a_clear_message(string text, string reason)
    {
        Assert.False(Durations.TryParse(text, out _, out var error));
        Assert.StartsWith($"invalid duration '{text.Trim()}': ", error);
        Assert.Contains(reason, error);
    }
}
