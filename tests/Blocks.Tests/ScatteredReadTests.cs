using ActorStore.Blocks.Devices;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>The batched read (io_uring where the kernel allows it) reads exactly what one pread per piece would.</summary>
public sealed class ScatteredReadTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Many_pieces_from_several_files_match_piece_by_piece_reads()
    {
        var fs = LinuxFileSystem.Instance;
        var files = Enumerable.Range(0, 3).Select(i =>
        {
            var bytes = new byte[1 << 20];
            new Random(i).NextBytes(bytes);
            var path = _temp.Sub($"f{i}");
            File.WriteAllBytes(path, bytes);
            return fs.Open(path, create: false);
        }).ToList();
        try
        {
            var rng = new Random(9);
            var pieces = new List<ScatteredRead>();
            var at = 0;
            for (var i = 0; i < 700; i++) // more than one ring's worth
            {
                var length = rng.Next(1, 5000);
                var offset = i == 5 ? (1 << 20) - 100 : rng.NextInt64(0, (1 << 20) - length); // one piece runs past the end
                pieces.Add(new ScatteredRead(files[rng.Next(files.Count)], offset, length, at));
                at += length;
            }
            var batched = new byte[at];
            batched.AsSpan().Fill(0xEE);
            fs.ReadScattered(pieces.ToArray(), batched);
            var expected = new byte[at];
            foreach (var p in pieces) p.File.Read(p.Offset, expected.AsSpan(p.At, p.Length));
            Assert.Equal(expected, batched);
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public void A_piece_outside_the_destination_is_refused()
    {
        var path = _temp.Sub("f");
        File.WriteAllBytes(path, new byte[8192]);
        using var f = LinuxFileSystem.Instance.Open(path, create: false);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            LinuxFileSystem.Instance.ReadScattered([new ScatteredRead(f, 0, 100, 0), new ScatteredRead(f, 0, 100, 4000)], new byte[4096]));
    }
}
