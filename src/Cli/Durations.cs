using System.Globalization;

namespace ActorStore.Cli;

/// <summary>
/// Durations as people type them (--wait-timeout: 90, 90s, 10m, 2h, 1h30m, 1d; a plain number is seconds) and as pbm
/// prints them (12s, 3m05s, 2h04m, 1d02h: the two largest units, nothing finer).
/// </summary>
public static class Durations
{
    private const string Expected = "expected seconds or a number with a unit, e.g. 90s, 10m, 2h, 1h30m (s, m, h, d)";

    private static readonly TimeSpan Longest = TimeSpan.FromDays(9999);

    /// <summary>12s, 3m05s, 2h04m, 1d02h; whole seconds, rounded down.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero) duration = TimeSpan.Zero;
        if (duration > Longest) duration = Longest;
        var i = CultureInfo.InvariantCulture;
        if (duration < TimeSpan.FromMinutes(1)) return string.Create(i, $"{duration.Seconds}s");
        if (duration < TimeSpan.FromHours(1)) return string.Create(i, $"{duration.Minutes}m{duration.Seconds:00}s");
        if (duration < TimeSpan.FromDays(1)) return string.Create(i, $"{duration.Hours}h{duration.Minutes:00}m");
        return string.Create(i, $"{(int)duration.TotalDays}d{duration.Hours:00}h");
    }

    /// <summary>Time left as a rebuild reports it: seconds rounded up, "-" while unknown.</summary>
    public static string Eta(double? seconds) =>
        seconds is { } s && double.IsFinite(s) && s >= 0 ? Format(TimeSpan.FromSeconds(Math.Min(Math.Ceiling(s), Longest.TotalSeconds))) : "-";

    /// <summary>Parses a positive duration; on failure <paramref name="error"/> is one sentence naming the input.</summary>
    public static bool TryParse(string? text, out TimeSpan duration, out string error)
    {
        var input = text?.Trim() ?? "";
        var reason = Parse(input, out duration);
        error = reason is null ? "" : $"invalid duration '{input}': {reason}";
        return reason is null;
    }

    private static string? Parse(string input, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (input.Length == 0) return Expected;
        if (input.StartsWith('-')) return "a duration must be greater than zero";

        double seconds = 0;
        var position = 0;
        while (position < input.Length)
        {
            var start = position;
            while (position < input.Length && (char.IsAsciiDigit(input[position]) || input[position] == '.')) position++;
            if (!double.TryParse(input.AsSpan(start, position - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                return Expected;
            if (position == input.Length && start == 0)
            {
                seconds = number; // a plain number
                break;
            }

            var factor = position < input.Length ? char.ToLowerInvariant(input[position++]) switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                _ => 0,
            } : 0;
            if (factor == 0) return Expected;
            seconds += number * factor;
        }

        if (seconds > Longest.TotalSeconds) return "too long";
        if (seconds <= 0) return "a duration must be greater than zero";
        duration = TimeSpan.FromSeconds(seconds);
        return null;
    }
}
