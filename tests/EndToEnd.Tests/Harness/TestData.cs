namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// Reproducible pseudo-random content: every test prints its seed in failure messages, so a failing
/// byte pattern can be regenerated exactly.
/// </summary>
public static class TestData
{
    public static byte[] Bytes(int seed, int length)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Writes a file of <paramref name="length"/> pseudo-random bytes in 1 MiB pieces.</summary>
    public static void WriteFile(string path, int seed, long length)
    {
        var random = new Random(seed);
        var chunk = new byte[1 << 20];
        using var file = File.Create(path);
        for (long done = 0; done < length; done += chunk.Length)
        {
            random.NextBytes(chunk);
            file.Write(chunk, 0, (int)Math.Min(chunk.Length, length - done));
        }
    }

    /// <summary>A volume name that is valid (DESIGN §9) and unique within the shared node.</summary>
    public static string VolumeName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];

    public const long MiB = 1L << 20;

    public const long GiB = 1L << 30;
}
