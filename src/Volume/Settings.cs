using Akka.Configuration;

namespace ActorStore.Volume;

/// <summary>Reads typed HOCON values and fails with the key's path when one is missing or out of range.</summary>
public static class Settings
{
    public static long Long(Config config, string path, long min, long max)
    {
        var value = Read(config, path, () => config.GetLong(path));
        return value >= min && value <= max ? value : throw Bad(path, $"{value} is outside {min}..{max}");
    }

    public static long Bytes(Config config, string path, long min, long max)
    {
        var value = Read(config, path, () => config.GetByteSize(path) ?? throw Bad(path, "is not a size such as 64TiB"));
        return value >= min && value <= max ? value : throw Bad(path, $"{value} bytes is outside {min}..{max}");
    }

    public static TimeSpan Duration(Config config, string path)
    {
        var value = Read(config, path, () => config.GetTimeSpan(path, null, allowInfinite: false));
        return value > TimeSpan.Zero ? value : throw Bad(path, "must be a positive duration such as 30s");
    }

    public static string String(Config config, string path)
    {
        var value = Read(config, path, () => config.GetString(path));
        return string.IsNullOrWhiteSpace(value) ? throw Bad(path, "must not be empty") : value;
    }

    public static int Port(Config config, string path) => (int)Long(config, path, 0, 65535);

    private static T Read<T>(Config config, string path, Func<T> read)
    {
        if (!config.HasPath(path)) throw Bad(path, "is missing (see hocon/reference.conf)");
        try
        {
            return read();
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw Bad(path, $"cannot be read: {e.Message}");
        }
    }

    public static ConfigurationException Bad(string path, string why) => new($"configuration key '{path}' {why}");
}
