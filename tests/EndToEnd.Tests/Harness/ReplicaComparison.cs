using ActorStore.Blocks;
using ActorStore.Blocks.Devices;
using Xunit;

namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// Opens a stopped node's replicas of one volume straight from its disks (the node does not expose
/// per-replica reads) and checks that every replica holds the same bytes at every offset — what DESIGN §3
/// promises once the engine serves again after a crash.
/// </summary>
public static class ReplicaComparison
{
    /// <param name="roots">Where the node's disks are: its data directory, and any disk added elsewhere.</param>
    public static void AssertIdentical(IReadOnlyList<string> replicaIds, params string[] roots)
    {
        Assert.True(replicaIds.Count >= 2, "a comparison needs at least two replicas");
        var replicas = new List<Replica>();
        try
        {
            Open(replicaIds, roots, replicas);
            var size = replicas[0].Size;
            Assert.All(replicas, r => Assert.Equal(size, r.Size));
            var a = new byte[1 << 20];
            var b = new byte[1 << 20];
            for (long offset = 0; offset < size; offset += a.Length)
            {
                var length = (int)Math.Min(a.Length, size - offset);
                Assert.Equal(ReplicaStatus.Ok, replicas[0].Read(offset, a.AsSpan(0, length)));
                for (var i = 1; i < replicas.Count; i++)
                {
                    Assert.Equal(ReplicaStatus.Ok, replicas[i].Read(offset, b.AsSpan(0, length)));
                    if (!a.AsSpan(0, length).SequenceEqual(b.AsSpan(0, length)))
                        Assert.Fail($"replicas {replicaIds[0]} and {replicaIds[i]} differ in the MiB at offset {offset}");
                }
            }
        }
        finally
        {
            foreach (var r in replicas) r.Dispose();
        }
    }

    /// <summary>
    /// The replicas hold the same snapshot tree, layer by layer: the same snapshots with the same parents, each layer's
    /// own extents and bytes equal (its digest), and each snapshot reading the same; then <see cref="AssertIdentical"/>.
    /// </summary>
    public static void AssertSameLayers(IReadOnlyList<string> replicaIds, params string[] roots)
    {
        var replicas = new List<Replica>();
        try
        {
            Open(replicaIds, roots, replicas);
            var tree = Describe(replicas[0]);
            for (var i = 1; i < replicas.Count; i++) Assert.Equal(tree, Describe(replicas[i]));
            foreach (var snapshot in replicas[0].Snapshots())
            {
                Assert.Equal(ReplicaStatus.Ok, replicas[0].GetLayerDigest(snapshot.Name, out var expected));
                for (var i = 1; i < replicas.Count; i++)
                {
                    Assert.Equal(ReplicaStatus.Ok, replicas[i].GetLayerDigest(snapshot.Name, out var digest));
                    Assert.True(expected == digest, $"layer {snapshot.Name}: {replicaIds[0]} holds {expected}, {replicaIds[i]} {digest}");
                }
                if (snapshot.Removed) continue;
                var content = Content(replicas[0], snapshot.Name);
                for (var i = 1; i < replicas.Count; i++)
                    Assert.True(content == Content(replicas[i], snapshot.Name), $"snapshot {snapshot.Name} reads differently on {replicaIds[0]} and {replicaIds[i]}");
            }
        }
        finally
        {
            foreach (var r in replicas) r.Dispose();
        }
        AssertIdentical(replicaIds, roots);
    }

    /// <summary>Opens each replica from its directory under <paramref name="roots"/> into <paramref name="into"/> (the caller disposes them).</summary>
    private static void Open(IReadOnlyList<string> replicaIds, string[] roots, List<Replica> into)
    {
        foreach (var id in replicaIds)
        {
            var dir = roots.SelectMany(root => Directory.GetDirectories(root, id, SearchOption.AllDirectories)).Single();
            Assert.Equal(ReplicaStatus.Ok, Replica.Open(LinuxFileSystem.Instance, dir, out var r));
            into.Add(r!);
        }
    }

    private static string Describe(Replica r) =>
        string.Join('\n', r.Snapshots().OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => $"{s.Name} <- {s.Parent} removed={s.Removed} size={s.Size}"))
        + $"\nhead <- {r.HeadParent}";

    private static string Content(Replica r, string snapshot)
    {
        Assert.Equal(ReplicaStatus.Ok, r.OpenSnapshot(snapshot, out var reader));
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        for (long at = 0; at < reader!.Size; at += buffer.Length)
        {
            var n = (int)Math.Min(buffer.Length, reader.Size - at);
            Assert.Equal(ReplicaStatus.Ok, reader.Read(at, buffer.AsSpan(0, n)));
            sha.AppendData(buffer, 0, n);
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    /// <summary>Fails if any 4 KiB block of any of the replicas is entirely <paramref name="value"/> (a pattern nobody may have written).</summary>
    public static void AssertNoBlockFilledWith(byte value, IReadOnlyList<string> replicaIds, params string[] roots)
    {
        foreach (var id in replicaIds)
        {
            var dir = roots.SelectMany(root => Directory.GetDirectories(root, id, SearchOption.AllDirectories)).Single();
            Assert.Equal(ReplicaStatus.Ok, Replica.Open(LinuxFileSystem.Instance, dir, out var replica));
            using (replica)
            {
                var buffer = new byte[1 << 20];
                for (long offset = 0; offset < replica!.Size; offset += buffer.Length)
                {
                    var length = (int)Math.Min(buffer.Length, replica.Size - offset);
                    Assert.Equal(ReplicaStatus.Ok, replica.Read(offset, buffer.AsSpan(0, length)));
                    for (var block = 0; block < length; block += 4096)
                        if (!buffer.AsSpan(block, 4096).ContainsAnyExcept(value))
                            Assert.Fail($"replica {id} holds a block of 0x{value:x2} at offset {offset + block}: the fenced engine wrote");
                }
            }
        }
    }
}
