using System.Globalization;
using System.Text.Unicode;

namespace ActorStore.Backup.Bench;

/// <summary>
/// Text-like volume data: a storage node's log lines. Every line is unique (a sequence number, a clock that moves
/// on, random offsets and latencies), so no two blocks are equal and the backup's dedup finds nothing to skip; the
/// repeated words and layout compress a few times with LZ4, as real logs do.
/// </summary>
internal sealed class LogLines(int seed)
{
    private static readonly string[] Levels = ["INFO ", "INFO ", "INFO ", "DEBUG", "WARN "];
    private static readonly string[] Events = ["write", "read", "flush", "trim", "snapshot", "write-zeroes"];
    private readonly Random _random = new(seed);
    private DateTime _clock = new(2026, 12, 4, 0, 0, 0, DateTimeKind.Utc);
    private long _sequence;

    /// <summary>Fills <paramref name="piece"/> with whole lines; the last one is cut where the piece ends.</summary>
    public void Fill(Span<byte> piece)
    {
        Span<byte> line = stackalloc byte[256];
        while (!piece.IsEmpty)
        {
            var n = Next(line);
            var take = Math.Min(n, piece.Length);
            line[..take].CopyTo(piece);
            piece = piece[take..];
        }
    }

    private int Next(Span<byte> line)
    {
        var r = _random;
        _clock = _clock.AddTicks(r.Next(1, 20_000));
        Utf8.TryWrite(line, CultureInfo.InvariantCulture,
            $"{_clock:yyyy-MM-dd'T'HH:mm:ss.ffffff}Z {Levels[r.Next(Levels.Length)]} [node-{r.Next(1, 4)}] volume=vol-{r.Next(40):D3} replica=r-{r.Next(3)} {Events[r.Next(Events.Length)]} offset={r.NextInt64(1L << 31) & ~4095L} length={4096 << r.Next(9)} latency_us={r.Next(20, 5000)} seq={_sequence++}\n",
            out var written);
        return written;
    }
}
