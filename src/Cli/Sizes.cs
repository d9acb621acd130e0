using System.Globalization;

namespace ActorStore.Cli;

/// <summary>
/// Sizes as people type them and as pbm prints them. Every unit is binary: K, KiB = 1024 bytes; M, MiB = 1024²;
/// G, GiB = 1024³; T, TiB = 1024⁴. A plain number (or one ending in B) is bytes. Decimal units (GB, MB …) are
/// refused rather than guessed at.
/// </summary>
public static class Sizes
{
    private static readonly (string Unit, long Factor)[] Units =
    [
        ("", 1), ("B", 1),
        ("K", 1L << 10), ("KiB", 1L << 10),
        ("M", 1L << 20), ("MiB", 1L << 20),
        ("G", 1L << 30), ("GiB", 1L << 30),
        ("T", 1L << 40), ("TiB", 1L << 40),
    ];

    private static readonly string[] DecimalUnits = ["KB", "MB", "GB", "TB"];

    private static readonly string[] FormatUnits = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    private const string Expected = "expected bytes or a number with a binary unit, e.g. 512MiB, 1GiB, 10G (K, M, G, T mean KiB, MiB, GiB, TiB)";

    /// <summary>Parses a positive size; on failure <paramref name="error"/> is one sentence naming the input.</summary>
    public static bool TryParse(string? text, out long bytes, out string error)
    {
        bytes = 0;
        var input = text?.Trim() ?? "";
        var reason = Parse(input, out bytes);
        error = reason is null ? "" : $"invalid size '{input}': {reason}";
        return reason is null;
    }

    /// <summary>1.0 GiB, 512.0 MiB, 100 B.</summary>
    public static string Format(long bytes)
    {
        if (bytes < 1024) return $"{bytes} B";
        double value = bytes;
        var unit = -1;
        while (value >= 1024 && unit < FormatUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + FormatUnits[unit];
    }

    private static string? Parse(string input, out long bytes)
    {
        bytes = 0;
        if (input.Length == 0) return Expected;
        if (input.StartsWith('-')) return "a size must be greater than zero";

        var numberEnd = 0;
        while (numberEnd < input.Length && (char.IsAsciiDigit(input[numberEnd]) || input[numberEnd] == '.')) numberEnd++;
        var unitText = input[numberEnd..].Trim();

        if (!decimal.TryParse(input.AsSpan(0, numberEnd), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            return Expected;
        if (DecimalUnits.Any(u => u.Equals(unitText, StringComparison.OrdinalIgnoreCase)))
        {
            var prefix = char.ToUpperInvariant(unitText[0]);
            return $"'{unitText}' is ambiguous; pbm sizes are binary, write {prefix}iB or {prefix}";
        }

        var factor = Units.FirstOrDefault(u => u.Unit.Equals(unitText, StringComparison.OrdinalIgnoreCase)).Factor;
        if (factor == 0) return Expected;

        var value = number * factor;
        if (value > long.MaxValue) return "too large";
        if (value != decimal.Truncate(value)) return "not a whole number of bytes";
        if (value == 0) return "a size must be greater than zero";

        bytes = (long)value;
        return null;
    }
}
