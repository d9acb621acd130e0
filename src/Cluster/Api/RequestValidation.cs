using System.Security.Cryptography;
using ActorStore.Blocks;

namespace ActorStore.Cluster.Api;

/// <summary>
/// Checks made before any Ask, so a bad request costs no actor a message and the caller learns what to
/// change. Each check returns null when the value is fine, else the detail for a 400 problem.
/// </summary>
internal static class RequestValidation
{
    public const int MinReplicas = 1;
    public const int MaxReplicas = 3;
    public const long BlockSize = 4096;
    public const long MaxSize = 64L << 40;

    /// <summary>Names become file and directory names (DESIGN §9).</summary>
    public static string? Name(string? name, string what) =>
        Names.IsValid(name) ? null
        : name is null or "" ? $"a {what} name is required: 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit"
        : $"'{Clip(name)}' is not a valid {what} name: use 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit";

    public static string? Size(long size) =>
        size <= 0 ? $"size must be a positive number of bytes (e.g. 1073741824 for 1 GiB), got {size}"
        : size > MaxSize ? $"size must be at most 64 TiB ({MaxSize} bytes), got {size}"
        : size % BlockSize != 0 ? $"size must be a multiple of {BlockSize} bytes (the block size), got {size}; round it to {(size + BlockSize - 1) / BlockSize * BlockSize}"
        : null;

    public static string? Replicas(int replicas) =>
        replicas is < MinReplicas or > MaxReplicas ? $"replicas must be {MinReplicas} to {MaxReplicas}, got {replicas}" : null;

    /// <summary>A disk is a directory on its node; a relative path would depend on the node's working directory.</summary>
    public static string? DiskPath(string? path) =>
        string.IsNullOrWhiteSpace(path) ? "path is required: the absolute path of a directory on the node, e.g. /var/lib/actorstore/disk1"
        : !path.StartsWith('/') ? $"path must be absolute (start with '/'), got '{Clip(path)}'"
        : null;

    public const int MaxLabels = 20;
    public const int MaxLabelValue = 255;

    /// <summary>
    /// Snapshot labels: at most 20, keys of 1-63 characters (letters, digits, '.', '_', '-', '/'), values of at
    /// most 255 characters without control characters. They are stored with every replica's snapshot.
    /// </summary>
    public static string? Labels(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null) return null;
        if (labels.Count > MaxLabels) return $"a snapshot takes at most {MaxLabels} labels, got {labels.Count}";
        foreach (var (key, value) in labels)
        {
            if (key.Length is 0 or > 63 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/'))
                return $"label key '{Clip(key)}' must be 1-63 characters of letters, digits, '.', '_', '-' and '/'";
            if (value is null || value.Length > MaxLabelValue || value.Any(char.IsControl))
                return $"label '{key}' must have a value of at most {MaxLabelValue} characters without control characters";
        }
        return null;
    }

    public static string? Body(object? body, string shape) =>
        body is null ? $"a JSON body is required: {shape}" : null;

    /// <summary>Snapshot names made for requests without one: <c>snap-yyyyMMdd-HHmmss-xxxx</c> (UTC, four random hex digits), always valid.</summary>
    public static string GenerateSnapshotName(DateTimeOffset now) =>
        $"snap-{now.UtcDateTime:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";

    /// <summary>Echo enough of a bad value to recognise it, never a whole megabyte of it.</summary>
    private static string Clip(string value) => value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 80), "…");
}
